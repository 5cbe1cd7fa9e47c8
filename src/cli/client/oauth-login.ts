/**
 * The OAuth code flow `oc login -u NAME -p PASS` runs (openshift/oc
 * pkg/helpers/tokencmd/request_token.go, in its own words): read the server's OAuth metadata,
 * ask the authorization endpoint for a code as the `openshift-challenging-client` with PKCE S256
 * and an `X-CSRF-Token` header, answer its Basic challenge once with the credentials, take the
 * code from the 302's Location and exchange it at the token endpoint.
 */
import { pkceS256, pkceVerifier } from '../../lib/pkce.js'
import type { ApiClient, RawResponse } from './api-client.js'

/** The OAuth client oc uses: public, no secret. */
const CLI_CLIENT_ID = 'openshift-challenging-client'
const METADATA_PATH = '/.well-known/oauth-authorization-server'

/** LoginUnauthorizedError: the server refused the credentials (oc's "Login failed (401 Unauthorized)"). */
export class LoginUnauthorizedError extends Error {
  override readonly name = 'LoginUnauthorizedError'
  readonly code = 'LoginUnauthorized'
}

/** OAuthFlowError: the server answered outside the protocol, or with an OAuth error. */
export class OAuthFlowError extends Error {
  override readonly name = 'OAuthFlowError'
  readonly code = 'OAuthFlow'
}

interface Metadata {
  readonly issuer?: unknown
  readonly authorization_endpoint?: unknown
  readonly token_endpoint?: unknown
  readonly code_challenge_methods_supported?: unknown
}

const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`

function parseJSON(res: RawResponse): unknown {
  try {
    return JSON.parse(res.text)
  } catch {
    return undefined
  }
}

/** oauthErrorOf is the `error error_description` of a redirect or token answer, as oc prints it. */
function oauthErrorOf(values: {
  error?: unknown
  error_description?: unknown
}): string | undefined {
  if (typeof values.error !== 'string' || values.error === '') return undefined
  const description = typeof values.error_description === 'string' ? values.error_description : ''
  return `${values.error} ${description}`
}

/** requestOAuthToken logs in with a user name and password and returns the access token. */
export async function requestOAuthToken(
  client: ApiClient,
  username: string,
  password: string,
): Promise<string> {
  const metadataURL = `${client.server}${METADATA_PATH}`
  const metaRes = await client.exchange('GET', metadataURL)
  if (metaRes.status !== 200) {
    throw new OAuthFlowError(
      `couldn't get ${metadataURL}: unexpected response status ${metaRes.status}`,
    )
  }
  const meta = (parseJSON(metaRes) ?? {}) as Metadata
  if (
    typeof meta.issuer !== 'string' ||
    typeof meta.authorization_endpoint !== 'string' ||
    typeof meta.token_endpoint !== 'string'
  ) {
    throw new OAuthFlowError(`${metadataURL} is not OAuth server metadata`)
  }
  const redirectURI = `${meta.issuer.replace(/\/+$/, '')}/oauth/token/implicit`
  const pkce =
    Array.isArray(meta.code_challenge_methods_supported) &&
    meta.code_challenge_methods_supported.includes('S256')
      ? pkceVerifier()
      : undefined

  const authorize = new URL(meta.authorization_endpoint)
  authorize.searchParams.set('client_id', CLI_CLIENT_ID)
  authorize.searchParams.set('redirect_uri', redirectURI)
  authorize.searchParams.set('response_type', 'code')
  if (pkce !== undefined) {
    authorize.searchParams.set('code_challenge', pkceS256(pkce))
    authorize.searchParams.set('code_challenge_method', 'S256')
  }
  // The header tells the server a CLI, not a browser, asks: only then does it challenge.
  const csrf = { 'x-csrf-token': '1' }
  let res = await client.exchange('GET', authorize.toString(), { headers: csrf })
  if (res.status === 401 && /^basic\b/i.test(res.header('www-authenticate') ?? '')) {
    res = await client.exchange('GET', authorize.toString(), {
      headers: { ...csrf, authorization: basic(username, password) },
    })
  }
  // A second challenge means the credentials were refused; oc does not try them again.
  if (res.status === 401) throw new LoginUnauthorizedError('Unauthorized')
  if (res.status !== 302) throw new OAuthFlowError(`unexpected response: ${res.status}`)
  const location = new URL(res.header('location') ?? '', authorize)
  const refused = oauthErrorOf({
    error: location.searchParams.get('error') ?? undefined,
    error_description: location.searchParams.get('error_description') ?? undefined,
  })
  if (refused !== undefined) throw new OAuthFlowError(refused)
  const code = location.searchParams.get('code')
  if (!code)
    throw new OAuthFlowError(`unexpected redirect to ${location.origin}${location.pathname}`)

  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectURI,
    client_id: CLI_CLIENT_ID,
    ...(pkce !== undefined && { code_verifier: pkce }),
  })
  const tokenRes = await client.exchange('POST', meta.token_endpoint, {
    headers: {
      authorization: basic(CLI_CLIENT_ID, ''),
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: form.toString(),
  })
  const body = (parseJSON(tokenRes) ?? {}) as {
    access_token?: unknown
    error?: unknown
    error_description?: unknown
  }
  const tokenError = oauthErrorOf(body)
  if (tokenError !== undefined) throw new OAuthFlowError(tokenError)
  if (tokenRes.status !== 200 || typeof body.access_token !== 'string') {
    throw new OAuthFlowError(`unexpected response from the token endpoint: ${tokenRes.status}`)
  }
  return body.access_token
}
