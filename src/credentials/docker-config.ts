/**
 * Docker config JSON (`.dockerconfigjson`, `.dockercfg`, config.json) to auths entries, following
 * kubelet's secrets.go/config.go and containers/image's decodeDockerAuth
 * (docs/credentials.md#secret-formats).
 * Problems are reported as text that never quotes a value from an entry.
 */

/** AuthEntry is one usable entry of an auths map, in file order. */
export interface AuthEntry {
  /** The auths key exactly as written. */
  readonly key: string
  readonly username: string
  readonly password: string
  readonly identityToken?: string
}

/** AuthsResult is the usable entries of a config, or why the whole config is malformed. */
export type AuthsResult = { readonly entries: readonly AuthEntry[] } | { readonly problem: string }

const BASE64_BODY = /^[A-Za-z0-9+/]*$/

/** decodeBase64 decodes standard base64, padded or not (kubelet accepts both); undefined when invalid. */
export function decodeBase64(value: string): Buffer | undefined {
  // Go's base64 decoders skip CR and LF; Buffer.from would silently skip any bad character.
  const compact = value.replace(/[\r\n]/g, '')
  const body = compact.replace(/={1,2}$/, '')
  const padded = body.length !== compact.length
  if (!BASE64_BODY.test(body) || body.length % 4 === 1 || (padded && compact.length % 4 !== 0)) {
    return undefined
  }
  return Buffer.from(body, 'base64')
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * parseAuths reads the auths entries of a docker config; `wrapped` is true for the
 * `{"auths": {...}}` form and false for legacy `.dockercfg`. `what` names the document in
 * problems (e.g. '".dockerconfigjson"').
 */
export function parseAuths(json: string, wrapped: boolean, what: string): AuthsResult {
  let document: unknown
  try {
    document = JSON.parse(json)
  } catch {
    // V8's SyntaxError quotes the surrounding text, which may be a password: never pass it on.
    return { problem: `${what} is not valid JSON` }
  }
  if (!isRecord(document)) {
    return { problem: `${what} is not a JSON object` }
  }
  const auths = wrapped ? document['auths'] : document
  if (wrapped && !isRecord(auths)) {
    return {
      problem: `${what} has no "auths" object; expected {"auths": {"<registry>": {"auth": "<base64 of user:password>"}}}`,
    }
  }
  if (!wrapped && isRecord(document['auths'])) {
    return {
      problem: `${what} has an "auths" wrapper, which is the kubernetes.io/dockerconfigjson format; recreate the secret with that type and the key ".dockerconfigjson"`,
    }
  }
  const entries: AuthEntry[] = []
  for (const [key, value] of Object.entries(isRecord(auths) ? auths : {})) {
    const entry = parseEntry(key, value)
    if (typeof entry === 'string') {
      return { problem: entry }
    }
    if (entry !== undefined) {
      entries.push(entry)
    }
  }
  return { entries }
}

const STRING_FIELDS = ['auth', 'username', 'password', 'identitytoken'] as const

// An AuthEntry, undefined for an entry without credentials, or a problem.
function parseEntry(key: string, value: unknown): AuthEntry | undefined | string {
  // Go decodes null into the zero entry, which carries no credentials.
  if (value === null) {
    return undefined
  }
  if (!isRecord(value)) {
    return `key ${JSON.stringify(key)} is not an object`
  }
  const fields: Partial<Record<(typeof STRING_FIELDS)[number], string>> = {}
  for (const name of STRING_FIELDS) {
    const field = value[name]
    if (typeof field === 'string') {
      fields[name] = field
    } else if (field !== undefined && field !== null) {
      return `key ${JSON.stringify(key)}: "${name}" is not a string`
    }
  }

  let { username = '', password = '' } = fields
  // kubelet: a non-empty `auth` wins over username/password.
  if (fields.auth !== undefined && fields.auth !== '') {
    const decoded = decodeBase64(fields.auth)
    if (decoded === undefined) {
      return `key ${JSON.stringify(key)}: "auth" is not valid base64`
    }
    const text = decoded.toString('utf8')
    const colon = text.indexOf(':')
    if (colon === -1) {
      return `key ${JSON.stringify(key)}: "auth" must be the base64 of username:password`
    }
    // Split at the FIRST ':' (passwords may contain ':'); c/image trims NUL padding some tools leave.
    username = text.slice(0, colon)
    password = text.slice(colon + 1).replace(/^\0+|\0+$/g, '')
  }
  const identityToken = fields.identitytoken === '' ? undefined : fields.identitytoken

  // Docker writes `{}` entries when a credential helper holds the secret: nothing to use.
  if (username === '' && password === '' && identityToken === undefined) {
    return undefined
  }
  return { key, username, password, ...(identityToken === undefined ? {} : { identityToken }) }
}
