/**
 * The OAuth 2 endpoints `oc login -u NAME` uses, answered as OpenShift's oauth-server answers
 * them (openshift/oc pkg/helpers/tokencmd/request_token.go is the client):
 *
 * - `GET /.well-known/oauth-authorization-server`: the server metadata (RFC 8414).
 * - `GET /oauth/authorize?client_id=openshift-challenging-client&response_type=code&...`: with an
 *   `X-CSRF-Token` header and no credentials, a 401 `WWW-Authenticate: Basic realm="openshift"`
 *   challenge; with the right Basic credentials, a 302 to the redirect URI carrying `code=`.
 * - `POST /oauth/authorize` with a form (client_id=isctl-console, username, password, PKCE): the
 *   web console's sign-in, a 302 to `/console/oauth/callback` with `code=` or `error=`.
 * - `POST /oauth/token` (grant_type=authorization_code, PKCE S256): the access token.
 *
 * These are reachable without a bearer token (OAUTH_ENDPOINTS). Wrong passwords are answered
 * a fixed time after they arrived, after one bcrypt comparison whatever the user, and repeated
 * failures for one name are throttled (docs/access-control.md#users-and-login). Passwords, codes and tokens are
 * never logged.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { sleep } from '../../lib/abort.js'
import { SHA256_TOKEN_PREFIX, tokenObjectName } from '../../lib/oauth-token-name.js'
import { pkceS256 } from '../../lib/pkce.js'
import { objectKey, type Store } from '../../storage/index.js'
import type { PasswordChecker } from './htpasswd-file.js'
import { LoginThrottle } from './login-throttle.js'
import { accessTokenObject, newOAuthToken, OAUTH_ACCESS_TOKENS } from './oauth-tokens.js'

/** CLI_CLIENT_ID is the OAuth client oc uses; it has no secret. */
export const CLI_CLIENT_ID = 'openshift-challenging-client'
/**
 * CONSOLE_CLIENT_ID is the web console's client: a browser login form, PKCE required, its one
 * redirect URI the server's own /console/oauth/callback (as OpenShift's browser client's is the
 * server's own page).
 */
export const CONSOLE_CLIENT_ID = 'isctl-console'
/** The realm of the Basic challenge, as OpenShift's. */
const REALM = 'openshift'
/** The header that tells a CLI from a browser tricked into sending Basic credentials. */
const CSRF_HEADER = 'x-csrf-token'
/** How long an authorization code may be exchanged: OpenShift's five minutes. */
const CODE_TTL_MS = 5 * 60_000

/** OAuthServerLogger is the part of the server's logger the endpoints use. */
export interface OAuthServerLogger {
  info(context: object, message: string): void
  warn(context: object, message: string): void
}

/** OAuthServerOptions are what the endpoints need; cmd/serve.ts picks them. */
export interface OAuthServerOptions {
  readonly store: Store
  /** The users' passwords; undefined when the server has no users (every login fails). */
  readonly passwords: PasswordChecker | undefined
  /** Lifetime of a new access token, in seconds (`--token-max-age`). */
  readonly tokenMaxAgeSeconds: number
  readonly logger: OAuthServerLogger
  /**
   * A failed password check is answered this long after the request arrived (default 1 s),
   * whatever the user and the cost of its hash.
   */
  readonly failureDelayMs?: number
  readonly throttle?: LoginThrottle
  readonly now?: () => number
}

/** AuthorizationCode is a code waiting to be exchanged: kept in memory only, for minutes. */
interface AuthorizationCode {
  readonly user: string
  /** The client the code was issued to: only it may exchange the code. */
  readonly client: string
  readonly redirectURI: string
  readonly challenge: string | undefined
  readonly expiresAt: number
}

/** issuerOf is the server URL the client reached: OpenShift's issuer is its public master URL. */
function issuerOf(request: FastifyRequest): string {
  return `https://${request.host}`
}

/** implicitRedirect is the one redirect URI of the CLI client (oauthdiscovery.OpenShiftOAuthTokenImplicitURL). */
const implicitRedirect = (issuer: string): string => `${issuer}/oauth/token/implicit`

/** consoleRedirect is the console client's one redirect URI. */
const consoleRedirect = (issuer: string): string => `${issuer}/console/oauth/callback`

/** serverMetadata is the RFC 8414 document oc reads first. */
export function serverMetadata(issuer: string): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    scopes_supported: ['user:full'],
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code'],
    code_challenge_methods_supported: ['S256'],
  }
}

/** basicCredentials decodes `Authorization: Basic`; undefined when absent or not Basic. */
export function basicCredentials(
  header: string | undefined,
): { user: string; password: string } | undefined {
  if (!header) return undefined
  const space = header.indexOf(' ')
  if (space < 0 || header.slice(0, space).toLowerCase() !== 'basic') return undefined
  const text = Buffer.from(header.slice(space + 1).trim(), 'base64').toString('utf8')
  const colon = text.indexOf(':')
  if (colon < 0) return undefined
  return { user: text.slice(0, colon), password: text.slice(colon + 1) }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

const single = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** oauthError answers with RFC 6749's JSON error body. */
function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('application/json')
    .send({ error, error_description: description })
}

/** redirectWith sends the client to its redirect URI with the given query (a code or an error). */
function redirectWith(reply: FastifyReply, redirectURI: string, query: Record<string, string>) {
  const to = new URL(redirectURI)
  for (const [k, v] of Object.entries(query)) to.searchParams.set(k, v)
  return reply.code(302).header('location', to.toString()).send()
}

/** registerOAuthServer adds the OAuth endpoints to the app. */
export function registerOAuthServer(app: FastifyInstance, options: OAuthServerOptions): void {
  const now = options.now ?? Date.now
  const throttle = options.throttle ?? new LoginThrottle({ now })
  const failureDelayMs = options.failureDelayMs ?? 1000
  const codes = new Map<string, AuthorizationCode>()
  const dropExpiredCodes = () => {
    const t = now()
    for (const [code, c] of codes) if (c.expiresAt <= t) codes.delete(code)
  }

  app.get('/.well-known/oauth-authorization-server', (request, reply) =>
    reply.type('application/json').send(serverMetadata(issuerOf(request))),
  )

  /**
   * passwordIsRight checks a login as both clients make it: a wrong one is answered a fixed
   * time after it arrived, and counts towards the user's lockout.
   */
  const passwordIsRight = async (request: FastifyRequest, user: string, password: string) => {
    const arrived = performance.now()
    const locked = throttle.lockedFor(user) > 0
    // Checked even while locked out, so that the answer takes the same time.
    const right = (await options.passwords?.check(user, password)) === true
    if (right && !locked) {
      throttle.succeeded(user)
      return true
    }
    const lockoutStarted = !locked && throttle.failed(user)
    options.logger.warn(
      { user, remote: request.ip, lockedOut: locked || lockoutStarted },
      locked ? 'login refused: too many failed logins' : 'login failed',
    )
    // The same time for every failure: a cheap hash, a costly one or none at all.
    await sleep(arrived + failureDelayMs - performance.now())
    return false
  }

  /** issueCode remembers a new code for `user` and sends the client back with it. */
  const issueCode = (
    reply: FastifyReply,
    grant: Omit<AuthorizationCode, 'expiresAt'>,
    state: string | undefined,
  ) => {
    dropExpiredCodes()
    const code = SHA256_TOKEN_PREFIX + randomBytes(32).toString('base64url')
    codes.set(code, { ...grant, expiresAt: now() + CODE_TTL_MS })
    return redirectWith(reply, grant.redirectURI, { code, ...(state !== undefined && { state }) })
  }

  app.get('/oauth/authorize', async (request, reply) => {
    const q = request.query as Record<string, unknown>
    const issuer = issuerOf(request)
    if (single(q.client_id) !== CLI_CLIENT_ID) {
      return oauthError(reply, 400, 'unauthorized_client', 'unknown client_id')
    }
    const redirectURI = single(q.redirect_uri) ?? implicitRedirect(issuer)
    if (redirectURI !== implicitRedirect(issuer)) {
      return oauthError(reply, 400, 'invalid_request', 'redirect_uri does not match the client')
    }
    const state = single(q.state)
    const fail = (error: string, description: string) =>
      redirectWith(reply, redirectURI, {
        error,
        error_description: description,
        ...(state !== undefined && { state }),
      })
    if (single(q.response_type) !== 'code') {
      return fail('unsupported_response_type', 'only the code flow is supported')
    }
    const challenge = single(q.code_challenge)
    if (challenge !== undefined && single(q.code_challenge_method) !== 'S256') {
      return fail('invalid_request', 'code_challenge_method must be S256')
    }

    const csrf = single(request.headers[CSRF_HEADER]) ?? ''
    const credentials = csrf === '' ? undefined : basicCredentials(request.headers.authorization)
    if (!credentials) return challengeReply(reply, csrf !== '')
    if (!(await passwordIsRight(request, credentials.user, credentials.password))) {
      return challengeReply(reply, true)
    }
    const grant = { user: credentials.user, client: CLI_CLIENT_ID, redirectURI, challenge }
    return issueCode(reply, grant, state)
  })

  app.register((scope, _opts, done) => {
    // Token requests are forms (RFC 6749 section 4.1.3); only this route reads them.
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_request, body, parsed) =>
        parsed(null, Object.fromEntries(new URLSearchParams(String(body)))),
    )
    // The web console's sign-in form (docs/console.md#signing-in): a browser login posted as a
    // form, answered with a redirect to the console's callback, carrying a code or an error.
    // PKCE is required, and the console checks `state`, so a form posted from another site
    // signs no one in.
    scope.post('/oauth/authorize', async (request, reply) => {
      const form = (request.body ?? {}) as Record<string, unknown>
      if (single(form.client_id) !== CONSOLE_CLIENT_ID) {
        return oauthError(reply, 400, 'unauthorized_client', 'unknown client_id')
      }
      const redirectURI = consoleRedirect(issuerOf(request))
      if (single(form.redirect_uri) !== redirectURI) {
        return oauthError(reply, 400, 'invalid_request', 'redirect_uri does not match the client')
      }
      const state = single(form.state)
      const fail = (error: string, description: string) =>
        redirectWith(reply, redirectURI, {
          error,
          error_description: description,
          ...(state !== undefined && { state }),
        })
      if (single(form.response_type) !== 'code') {
        return fail('unsupported_response_type', 'only the code flow is supported')
      }
      const challenge = single(form.code_challenge)
      if (!challenge || single(form.code_challenge_method) !== 'S256') {
        return fail('invalid_request', 'a code_challenge with method S256 is required')
      }
      const user = single(form.username) ?? ''
      if (user === '' || !(await passwordIsRight(request, user, single(form.password) ?? ''))) {
        return fail('access_denied', 'wrong user name or password')
      }
      return issueCode(reply, { user, client: CONSOLE_CLIENT_ID, redirectURI, challenge }, state)
    })

    scope.post('/oauth/token', async (request, reply) => {
      const form = (request.body ?? {}) as Record<string, unknown>
      const client = basicCredentials(request.headers.authorization)
      const clientID = client?.user ?? single(form.client_id)
      const known = clientID === CLI_CLIENT_ID || clientID === CONSOLE_CLIENT_ID
      if (!known || (client !== undefined && client.password !== '')) {
        return oauthError(reply, 401, 'invalid_client', 'client authentication failed')
      }
      if (single(form.grant_type) !== 'authorization_code') {
        return oauthError(
          reply,
          400,
          'unsupported_grant_type',
          'only authorization_code is supported',
        )
      }
      const code = single(form.code) ?? ''
      const grant = codes.get(code)
      // A code is used once, right or wrong.
      codes.delete(code)
      if (!grant || grant.expiresAt <= now() || grant.client !== clientID) {
        return oauthError(reply, 400, 'invalid_grant', 'the code is unknown or expired')
      }
      const redirectURI = single(form.redirect_uri)
      if (redirectURI !== undefined && redirectURI !== grant.redirectURI) {
        return oauthError(reply, 400, 'invalid_grant', 'redirect_uri does not match the code')
      }
      if (grant.challenge !== undefined) {
        const verifier = single(form.code_verifier) ?? ''
        if (!sameText(pkceS256(verifier), grant.challenge)) {
          return oauthError(reply, 400, 'invalid_grant', 'code_verifier does not match the code')
        }
      }
      const token = newOAuthToken()
      await options.store.create(
        objectKey(OAUTH_ACCESS_TOKENS, tokenObjectName(token)),
        accessTokenObject({
          token,
          userName: grant.user,
          clientName: grant.client,
          expiresIn: options.tokenMaxAgeSeconds,
          redirectURI: grant.redirectURI,
        }),
      )
      options.logger.info({ user: grant.user }, 'login succeeded: OAuth access token issued')
      return reply
        .header('cache-control', 'no-store')
        .header('pragma', 'no-cache')
        .type('application/json')
        .send({
          access_token: token,
          token_type: 'Bearer',
          expires_in: options.tokenMaxAgeSeconds,
          scope: 'user:full',
        })
    })
    done()
  })
}

/**
 * challengeReply is the 401 of a request without (right) credentials: a Basic challenge for a
 * client that sent `X-CSRF-Token`, else OpenShift's warning that the header is needed.
 */
function challengeReply(reply: FastifyReply, csrf: boolean) {
  if (csrf) {
    return reply
      .code(401)
      .header('www-authenticate', `Basic realm="${REALM}"`)
      .type('text/plain; charset=utf-8')
      .send('Unauthorized\n')
  }
  const message = 'A non-empty X-CSRF-Token header is required to receive basic-auth challenges'
  return reply
    .code(401)
    .header('warning', `199 Oauth-Server "${message}"`)
    .type('text/plain; charset=utf-8')
    .send(`${message}\n`)
}
