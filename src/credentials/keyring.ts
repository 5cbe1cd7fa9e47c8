/**
 * Keyrings from pull secrets and docker config files (docs/credentials.md). A
 * malformed secret is skipped with a warning instead of failing every import in the namespace,
 * as kubelet's keyring construction would.
 */
import type { ImageReference } from '../reference/index.js'
import type { Credential } from './credential.js'
import { decodeBase64, parseAuths } from './docker-config.js'
import type { RegistryKey } from './registry-key.js'
import { keyMatches, parseRegistryKey, registryTarget } from './registry-key.js'

/** CredentialWarning reports a skipped secret or entry; its message never contains credential material. */
export interface CredentialWarning {
  readonly secret: string
  readonly message: string
}

/** Keyring returns every credential that applies to a repository, most specific first. */
export interface Keyring {
  lookup(target: Pick<ImageReference, 'registry' | 'repository'>): readonly Credential[]
}

/** PullSecret is the part of a Kubernetes Secret a keyring reads; data values are base64 as in Secret.data. */
export interface PullSecret {
  /** 'namespace/name' or just the name; used verbatim as CredentialSource.secret. */
  readonly name: string
  readonly type: string
  readonly data: Readonly<Record<string, string>>
}

/** KeyringResult is a keyring and the warnings about what could not be used. */
export interface KeyringResult {
  readonly keyring: Keyring
  readonly warnings: readonly CredentialWarning[]
}

const NO_CREDENTIALS: readonly Credential[] = Object.freeze([])

/** EMPTY_KEYRING matches nothing (anonymous access only). */
export const EMPTY_KEYRING: Keyring = Object.freeze({ lookup: () => NO_CREDENTIALS })

// kubelet honours exactly these type/key pairs: an Opaque secret holding .dockerconfigjson is
// not a pull secret (docs/credentials.md#secret-formats).
const SECRET_FORMATS: ReadonlyMap<string, { readonly key: string; readonly wrapped: boolean }> =
  new Map([
    ['kubernetes.io/dockerconfigjson', { key: '.dockerconfigjson', wrapped: true }],
    ['kubernetes.io/dockercfg', { key: '.dockercfg', wrapped: false }],
  ])

interface KeyringEntry {
  readonly key: RegistryKey
  readonly credential: Credential
}

interface Collected {
  readonly entries: readonly KeyringEntry[]
  readonly warnings: readonly CredentialWarning[]
}

/** keyringFromSecrets builds one keyring from dockerconfigjson and dockercfg secrets, in the given order; other types are ignored. */
export function keyringFromSecrets(secrets: readonly PullSecret[]): KeyringResult {
  const collected = secrets.map((secret): Collected => {
    const format = SECRET_FORMATS.get(secret.type)
    if (format === undefined) {
      return { entries: [], warnings: [] }
    }
    const subject = `secret ${JSON.stringify(secret.name)}`
    const skipped = (problem: string): Collected => ({
      entries: [],
      warnings: [{ secret: secret.name, message: `${subject}: ${problem}; the secret is ignored` }],
    })
    const encoded = secret.data[format.key]
    if (encoded === undefined) {
      return skipped(`it has no "${format.key}" key, which a ${secret.type} secret needs`)
    }
    const json = decodeBase64(encoded)
    if (json === undefined) {
      return skipped(`"${format.key}" is not valid base64`)
    }
    return collect(json.toString('utf8'), format.wrapped, {
      secret: secret.name,
      subject,
      document: `"${format.key}"`,
      unit: 'secret',
    })
  })
  return {
    keyring: createKeyring(collected.flatMap((c) => c.entries)),
    warnings: collected.flatMap((c) => c.warnings),
  }
}

/** keyringFromDockerConfig builds a keyring from a docker config.json or auth.json (the CLI's --registry-config); `source` names the file. */
export function keyringFromDockerConfig(json: string, source: string): KeyringResult {
  const { entries, warnings } = collect(json, true, {
    secret: source,
    subject: `registry config ${JSON.stringify(source)}`,
    document: 'the file',
    unit: 'file',
  })
  return { keyring: createKeyring(entries), warnings }
}

/** combineKeyrings unions keyrings: all matches of the first keyring, then of the next (namespace secrets before the global pull secret). */
export function combineKeyrings(...keyrings: readonly Keyring[]): Keyring {
  return { lookup: (target) => keyrings.flatMap((keyring) => keyring.lookup(target)) }
}

// Where a config came from, for sources and warnings.
interface Origin {
  /** CredentialSource.secret and CredentialWarning.secret. */
  readonly secret: string
  /** Opens every warning, e.g. 'secret "ns/pull"'. */
  readonly subject: string
  /** Names the JSON document inside the origin, e.g. '".dockerconfigjson"'. */
  readonly document: string
  /** What a malformed document makes us ignore. */
  readonly unit: 'secret' | 'file'
}

function collect(json: string, wrapped: boolean, origin: Origin): Collected {
  const { secret, subject } = origin
  const parsed = parseAuths(json, wrapped, origin.document)
  if ('problem' in parsed) {
    const message = `${subject}: ${parsed.problem}; the ${origin.unit} is ignored`
    return { entries: [], warnings: [{ secret, message }] }
  }
  const entries: KeyringEntry[] = []
  const warnings: CredentialWarning[] = []
  for (const { key: written, username, password, identityToken } of parsed.entries) {
    const key = parseRegistryKey(written)
    // kubelet logs and skips a key it cannot parse as a URL; the rest of the secret still counts.
    if (key === undefined) {
      warnings.push({
        secret,
        message: `${subject}: key ${JSON.stringify(written)} is not a registry address (host[:port][/path], optionally after https:// or http://); the entry is ignored`,
      })
      continue
    }
    const source = { secret, key: written }
    entries.push({
      key,
      credential: {
        username,
        password,
        ...(identityToken === undefined ? {} : { identityToken }),
        source,
      },
    })
  }
  return { entries, warnings }
}

function createKeyring(entries: readonly KeyringEntry[]): Keyring {
  if (entries.length === 0) {
    return EMPTY_KEYRING
  }
  // Most specific first (docs/credentials.md#trying-credentials-in-turn). Matching key paths are
  // nested, so a longer path is more specific; then an exact host before a glob (row 14).
  // Array#sort is stable, so equal keys keep secret order, then entry order (rows 8, 27).
  const ordered = [...entries].sort(
    (a, b) => b.key.path.length - a.key.path.length || Number(a.key.glob) - Number(b.key.glob),
  )
  return {
    lookup(target) {
      const normalised = registryTarget(target)
      if (normalised === undefined) {
        return NO_CREDENTIALS
      }
      return ordered.filter((e) => keyMatches(e.key, normalised)).map((e) => e.credential)
    },
  }
}
