/** A token server implementing distribution's bearer-token auth (Docker token spec + OAuth2 POST). */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  randomUUID,
  sign,
  X509Certificate,
} from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { makeTempDir, removeTempDir } from './process.js'
import { createSigningCert, type TestCA } from './tls.js'

/** The `service` every harness registry is configured with (and the JWT `aud`). */
export const TOKEN_SERVICE = 'testbed-registry'
/** The `issuer` every harness registry trusts (the JWT `iss`). */
export const TOKEN_ISSUER = 'imagestreams-test-token-server'

/** A token-server account: its password and what it may do per repository. */
export interface TokenUser {
  password: string
  /** Repository name, a prefix ending in `/*`, or `*` → actions (`pull`, `push`, `delete`, `*`). */
  grants: Record<string, string[]>
  /** May list the catalog (`registry:catalog:*`). */
  catalog?: boolean
}

/** What the token server knows and how it behaves. */
export interface TokenServerOptions {
  users?: Record<string, TokenUser>
  /** Repositories (or `prefix/*`, or `*`) anyone, even without credentials, may pull. */
  anonymous?: string[]
  /** Pre-issued OAuth2 refresh tokens (identity tokens) → user name. */
  refreshTokens?: Record<string, string>
  /** Answer `POST /token` (OAuth2); when false it answers 404 so clients fall back to GET. Default true. */
  oauthPost?: boolean
  /** How the registry finds the verification key: `x5c` cert chain (default) or libtrust `kid`. */
  keyHeader?: 'x5c' | 'kid'
  /** Token lifetime in seconds (default 300). */
  expiresIn?: number
  /** Serve HTTPS with the harness CA (default true); false serves plain HTTP. */
  tls?: boolean
}

/** One `access` entry of a token (distribution's ResourceActions). */
export interface TokenAccess {
  type: string
  name: string
  actions: string[]
}

/** One request the token server answered, for assertions. */
export interface TokenRequest {
  method: string
  /** Path and query as received. */
  url: string
  service?: string
  /** Requested scopes, one per `scope` value, split on spaces. */
  scopes: string[]
  /** How the client identified itself. */
  authMethod: 'anonymous' | 'basic' | 'password' | 'refresh_token'
  /** The user that authenticated successfully, if any. */
  user?: string
  /** The user name the client claimed (also on failures). */
  claimedUser?: string
  grantType?: string
  clientId?: string
  /** Access put into the issued token (empty on failures). */
  granted: TokenAccess[]
  /** A refresh token issued with this response (offline_token / access_type=offline). */
  refreshTokenIssued?: string
  status: number
}

/** A running token server. */
export interface RunningTokenServer {
  /** Base URL, e.g. `https://127.0.0.1:PORT`. */
  url: string
  /** The realm registries advertise: `url + '/token'`. */
  realm: string
  service: string
  issuer: string
  /** PEM bundle the registry's `auth.token.rootcertbundle` must point at. */
  rootCertBundlePath: string
  /** Every request answered so far, oldest first. */
  requests(): TokenRequest[]
  /** Forgets recorded requests. */
  clearRequests(): void
  /** Current refresh tokens (pre-issued and issued) → user. */
  refreshTokens(): Record<string, string>
  /** Stops listening and removes the server's own temp files. */
  stop(): Promise<void>
}

/** Decodes (without verifying) the header and claims of a JWT, for assertions in tests. */
export function decodeJwt(jwt: string): {
  header: Record<string, unknown>
  claims: Record<string, unknown>
} {
  const [h, c] = jwt.split('.')
  const part = (s: string | undefined): Record<string, unknown> =>
    JSON.parse(Buffer.from(s ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
  return { header: part(h), claims: part(c) }
}

/** libtrust key ID: base32(sha256(SPKI DER)[:30]) in 12 colon-separated groups of 4. */
export function libtrustKeyId(spkiDer: Buffer): string {
  const digest = createHash('sha256').update(spkiDer).digest().subarray(0, 30)
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of digest) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  // 240 bits is exactly 48 base32 characters, so there is never a remainder or padding.
  return out.match(/.{4}/g)!.join(':')
}

/** Parses `type[(class)]:name:actions`; the name may itself contain `:` (host:port). */
export function parseScope(scope: string): TokenAccess | undefined {
  const first = scope.indexOf(':')
  const last = scope.lastIndexOf(':')
  if (first <= 0 || last <= first) return undefined
  const type = scope.slice(0, first).replace(/\(.*\)$/, '')
  const name = scope.slice(first + 1, last)
  const actions = scope
    .slice(last + 1)
    .split(',')
    .filter((a) => a !== '')
  if (name === '') return undefined
  return { type, name, actions }
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern === '*' || pattern === name) return true
  return pattern.endsWith('/*') && name.startsWith(pattern.slice(0, -1))
}

/** Starts a token server whose signing certificate chains to `ca`. */
export async function startTokenServer(
  opts: TokenServerOptions & { ca: TestCA; service?: string; issuer?: string },
): Promise<RunningTokenServer> {
  const dir = makeTempDir('token')
  try {
    return await startIn(dir, opts)
  } catch (e) {
    await removeTempDir(dir)
    throw e
  }
}

async function startIn(
  dir: string,
  opts: TokenServerOptions & { ca: TestCA; service?: string; issuer?: string },
): Promise<RunningTokenServer> {
  const service = opts.service ?? TOKEN_SERVICE
  const issuer = opts.issuer ?? TOKEN_ISSUER
  const users = opts.users ?? {}
  const anonymous = opts.anonymous ?? []
  const expiresIn = opts.expiresIn ?? 300
  const keyHeader = opts.keyHeader ?? 'x5c'
  const refresh = new Map(Object.entries(opts.refreshTokens ?? {}))
  const log: TokenRequest[] = []

  const signing = await createSigningCert(opts.ca, dir, 'token-signing')
  const privateKey = createPrivateKey(signing.keyPem)
  const cert = new X509Certificate(signing.certPem)
  const spki = createPublicKey(signing.certPem).export({ type: 'spki', format: 'der' })
  // The bundle holds the CA (x5c chains verify to it) and the signing cert (kid lookups find it).
  const rootCertBundlePath = join(dir, 'rootcertbundle.pem')
  await writeFile(rootCertBundlePath, opts.ca.caCertPem + signing.certPem)
  const jwtHeader =
    keyHeader === 'x5c'
      ? { typ: 'JWT', alg: 'RS256', x5c: [cert.raw.toString('base64')] }
      : { typ: 'JWT', alg: 'RS256', kid: libtrustKeyId(spki) }

  function grant(user: string | undefined, scopes: readonly string[]): TokenAccess[] {
    const merged = new Map<string, TokenAccess>()
    const account = user === undefined ? undefined : users[user]
    for (const scope of scopes) {
      const want = parseScope(scope)
      if (!want) continue
      const allowed = new Set<string>()
      if (want.type === 'repository') {
        if (anonymous.some((p) => patternMatches(p, want.name))) allowed.add('pull')
        for (const [pattern, actions] of Object.entries(account?.grants ?? {})) {
          if (patternMatches(pattern, want.name)) for (const a of actions) allowed.add(a)
        }
      } else if (want.type === 'registry' && want.name === 'catalog' && account?.catalog) {
        allowed.add('*')
      }
      // Denial is not an error (token spec): the token simply lacks what was not granted.
      const actions = want.actions.filter((a) => allowed.has('*') || allowed.has(a))
      if (actions.length === 0) continue
      const key = `${want.type}:${want.name}`
      const entry = merged.get(key) ?? { type: want.type, name: want.name, actions: [] }
      for (const a of actions) if (!entry.actions.includes(a)) entry.actions.push(a)
      merged.set(key, entry)
    }
    return [...merged.values()]
  }

  function issue(user: string | undefined, access: TokenAccess[]): string {
    const now = Math.floor(Date.now() / 1000)
    const claims = {
      iss: issuer,
      sub: user ?? '',
      // distribution 2.8 only parses a string audience; an array is an invalid_token.
      aud: service,
      exp: now + expiresIn,
      nbf: now,
      iat: now,
      jti: randomUUID(),
      access,
    }
    const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url')
    const input = `${enc(jwtHeader)}.${enc(claims)}`
    const sig = sign('sha256', Buffer.from(input), privateKey).toString('base64url')
    return `${input}.${sig}`
  }

  function newRefreshToken(user: string): string {
    const token = randomBytes(24).toString('base64url')
    refresh.set(token, user)
    return token
  }

  function reply(
    res: ServerResponse,
    status: number,
    body: unknown,
    extra: Record<string, string> = {},
  ): void {
    const text = JSON.stringify(body)
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...extra,
    })
    res.end(text)
  }

  function unauthorized(res: ServerResponse, rec: TokenRequest, message: string): void {
    rec.status = 401
    reply(
      res,
      401,
      { errors: [{ code: 'UNAUTHORIZED', message, detail: null }], details: message },
      {
        'www-authenticate': `Basic realm="${service} token server"`,
      },
    )
  }

  function success(
    res: ServerResponse,
    rec: TokenRequest,
    user: string | undefined,
    offline: boolean,
  ): void {
    rec.granted = grant(user, rec.scopes)
    const token = issue(user, rec.granted)
    const body: Record<string, unknown> = {
      token,
      access_token: token,
      expires_in: expiresIn,
      issued_at: new Date().toISOString(),
    }
    if (rec.scopes.length > 0) body.scope = rec.scopes.join(' ')
    if (offline && user !== undefined) {
      rec.refreshTokenIssued = newRefreshToken(user)
      body.refresh_token = rec.refreshTokenIssued
    }
    rec.status = 200
    reply(res, 200, body)
  }

  function handleGet(req: IncomingMessage, res: ServerResponse, u: URL, rec: TokenRequest): void {
    rec.scopes = u.searchParams.getAll('scope').flatMap((s) => s.split(' ').filter((x) => x !== ''))
    rec.clientId = u.searchParams.get('client_id') ?? undefined
    const auth = req.headers.authorization
    if (auth === undefined || !/^basic /i.test(auth)) {
      success(res, rec, undefined, false)
      return
    }
    rec.authMethod = 'basic'
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8')
    const sep = decoded.indexOf(':')
    const name = sep < 0 ? decoded : decoded.slice(0, sep)
    const password = sep < 0 ? '' : decoded.slice(sep + 1)
    rec.claimedUser = name
    if (users[name]?.password !== password) {
      unauthorized(res, rec, 'incorrect username or password')
      return
    }
    rec.user = name
    success(res, rec, name, u.searchParams.get('offline_token') === 'true')
  }

  function handlePost(res: ServerResponse, form: URLSearchParams, rec: TokenRequest): void {
    rec.scopes = form.getAll('scope').flatMap((s) => s.split(' ').filter((x) => x !== ''))
    rec.service = form.get('service') ?? undefined
    rec.clientId = form.get('client_id') ?? undefined
    rec.grantType = form.get('grant_type') ?? undefined
    if (rec.grantType === 'refresh_token') {
      rec.authMethod = 'refresh_token'
      const user = refresh.get(form.get('refresh_token') ?? '')
      if (user === undefined || users[user] === undefined) {
        unauthorized(res, rec, 'invalid refresh token')
        return
      }
      rec.user = user
      rec.claimedUser = user
      success(res, rec, user, false)
      return
    }
    if (rec.grantType === 'password') {
      rec.authMethod = 'password'
      const name = form.get('username') ?? ''
      rec.claimedUser = name
      if (users[name]?.password !== (form.get('password') ?? '')) {
        unauthorized(res, rec, 'incorrect username or password')
        return
      }
      rec.user = name
      success(res, rec, name, form.get('access_type') === 'offline')
      return
    }
    rec.status = 400
    reply(res, 400, { error: 'unsupported_grant_type' })
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const u = new URL(req.url ?? '/', 'http://token.invalid')
    const rec: TokenRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      service: u.searchParams.get('service') ?? undefined,
      scopes: [],
      authMethod: 'anonymous',
      granted: [],
      status: 0,
    }
    log.push(rec)
    if (u.pathname !== '/token') {
      rec.status = 404
      reply(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'not found' }] })
      return
    }
    if (req.method === 'GET') {
      handleGet(req, res, u, rec)
      return
    }
    if (req.method === 'POST') {
      if (opts.oauthPost === false) {
        req.resume()
        rec.status = 404
        reply(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'POST not supported' }] })
        return
      }
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () =>
        handlePost(res, new URLSearchParams(Buffer.concat(chunks).toString('utf8')), rec),
      )
      return
    }
    rec.status = 405
    reply(res, 405, { errors: [{ code: 'UNSUPPORTED', message: 'method not allowed' }] })
  }

  const tls = opts.tls ?? true
  const server = tls
    ? createHttpsServer({ cert: opts.ca.serverCertPem, key: opts.ca.serverKeyPem }, handler)
    : createHttpServer(handler)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`
  let stopped = false

  return {
    url,
    realm: `${url}/token`,
    service,
    issuer,
    rootCertBundlePath,
    requests: () => log.map((r) => ({ ...r, scopes: [...r.scopes], granted: [...r.granted] })),
    clearRequests: () => {
      log.length = 0
    },
    refreshTokens: () => Object.fromEntries(refresh),
    stop: async () => {
      if (stopped) return
      stopped = true
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await removeTempDir(dir)
    },
  }
}
