/**
 * The signed-in user's token, kept in sessionStorage (one browser tab, gone when it closes), and
 * the browser side of the OAuth code flow with PKCE (docs/console.md#signing-in).
 */

const TOKEN_KEY = 'isctl-console-token'
const FLOW_KEY = 'isctl-console-oauth'
/** CONSOLE_CLIENT_ID is the console's OAuth client (src/server/auth/oauth-server.ts). */
export const CONSOLE_CLIENT_ID = 'isctl-console'
/** CALLBACK_PATH is where the OAuth server sends the browser back with a code. */
export const CALLBACK_PATH = '/console/oauth/callback'

const listeners = new Set<() => void>()

/** currentToken is the signed-in user's bearer token, if any. */
export function currentToken(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined
}

/** setToken signs in with `token`. */
export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token)
  for (const l of listeners) l()
}

/** clearToken signs out (also on any 401: the token expired or was revoked). */
export function clearToken(): void {
  if (sessionStorage.getItem(TOKEN_KEY) === null) return
  sessionStorage.removeItem(TOKEN_KEY)
  for (const l of listeners) l()
}

/** onSessionChange calls `listener` on sign-in and sign-out; returns its removal. */
export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

function randomText(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  return base64url(bytes)
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}

/** The hidden fields of the sign-in form that posts to the OAuth server's authorize endpoint. */
// A type, not an interface: Object.entries then knows every value is a string.
export type AuthorizeFields = {
  readonly client_id: string
  readonly response_type: 'code'
  readonly redirect_uri: string
  readonly state: string
  readonly code_challenge: string
  readonly code_challenge_method: 'S256'
}

/**
 * startAuthorization makes a fresh state and PKCE verifier, keeps them for the callback, and
 * returns the fields the sign-in form posts with the user's name and password.
 */
export async function startAuthorization(): Promise<AuthorizeFields> {
  const state = randomText()
  const verifier = randomText()
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))
  sessionStorage.setItem(FLOW_KEY, JSON.stringify({ state, verifier }))
  return {
    client_id: CONSOLE_CLIENT_ID,
    response_type: 'code',
    redirect_uri: location.origin + CALLBACK_PATH,
    state,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: 'S256',
  }
}

/**
 * finishAuthorization exchanges the code of the callback URL for a token; it refuses a callback
 * whose state is not the one this tab started with (a login forced on the user by another site).
 */
export async function finishAuthorization(query: URLSearchParams): Promise<void> {
  const flow = JSON.parse(sessionStorage.getItem(FLOW_KEY) ?? 'null') as {
    state: string
    verifier: string
  } | null
  sessionStorage.removeItem(FLOW_KEY)
  const error = query.get('error')
  if (error) {
    throw new Error(
      error === 'access_denied'
        ? 'Wrong user name or password.'
        : (query.get('error_description') ?? error),
    )
  }
  if (!flow || query.get('state') !== flow.state) {
    throw new Error('This sign-in was not started here; please sign in again.')
  }
  const res = await fetch('/oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: CONSOLE_CLIENT_ID,
      code: query.get('code') ?? '',
      code_verifier: flow.verifier,
      redirect_uri: location.origin + CALLBACK_PATH,
    }),
  })
  const answer = (await res.json()) as { access_token?: string; error_description?: string }
  if (!res.ok || !answer.access_token) {
    throw new Error(answer.error_description ?? `sign-in failed (${res.status})`)
  }
  setToken(answer.access_token)
}
