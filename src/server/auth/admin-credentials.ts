/**
 * The admin credential and `admin.kubeconfig`. The token is 32 random bytes (base64url); the
 * data dir keeps only its SHA-256, and the plaintext lives only in admin.kubeconfig (0600),
 * which is rewritten on every start with the current server URL and CA. If the kubeconfig is
 * lost, the token cannot be recovered: a new one replaces it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'
import { contextNames } from '../../lib/kubeconfig-names.js'
import { hashToken } from './index.js'
import { writePrivate } from '../pki.js'

/** ADMIN_FILES are the file names in the data dir. */
export const ADMIN_FILES = {
  tokenHash: 'admin-token.sha256',
  kubeconfig: 'admin.kubeconfig',
} as const

/** AdminToken is the admin credential for this start: the token text and its hash. */
export interface AdminToken {
  readonly token: string
  readonly sha256: Buffer
  /** `created` on first start, `reused` when read back from admin.kubeconfig, `replaced` when the kubeconfig no longer held it. */
  readonly state: 'created' | 'reused' | 'replaced'
}

/** generateToken makes a new bearer token: 32 random bytes, base64url. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url')
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return undefined
    throw err
  }
}

/**
 * ensureAdminToken returns the admin token, making one on first start. On later starts the
 * plaintext is read back from admin.kubeconfig and checked against the stored hash; if it is
 * gone, a new token is made (and the old one stops working).
 */
export async function ensureAdminToken(dataDir: string): Promise<AdminToken> {
  const hashPath = join(dataDir, ADMIN_FILES.tokenHash)
  const stored = parseHash(await readOptional(hashPath))
  if (stored) {
    const text = await readOptional(join(dataDir, ADMIN_FILES.kubeconfig))
    for (const token of text === undefined ? [] : kubeconfigTokens(text)) {
      if (timingSafeEqual(hashToken(token), stored))
        return { token, sha256: stored, state: 'reused' }
    }
  }
  const token = generateToken()
  const sha256 = hashToken(token)
  await writePrivate(hashPath, `${sha256.toString('hex')}\n`)
  return { token, sha256, state: stored ? 'replaced' : 'created' }
}

function parseHash(text: string | undefined): Buffer | undefined {
  const hex = text?.trim()
  return hex && /^[0-9a-f]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : undefined
}

/** Every user token in a kubeconfig's text; none if it does not parse. */
function kubeconfigTokens(text: string): string[] {
  let doc: unknown
  try {
    doc = parse(text)
  } catch {
    return []
  }
  if (!isRecord(doc) || !Array.isArray(doc.users)) return []
  return doc.users.flatMap((u: unknown) =>
    isRecord(u) && isRecord(u.user) && typeof u.user.token === 'string' ? [u.user.token] : [],
  )
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** KubeconfigOptions are the facts admin.kubeconfig records. */
export interface KubeconfigOptions {
  /** The server URL, `https://127.0.0.1:8443`. */
  readonly server: string
  readonly caCertPem: string
  readonly token: string
  /** The context's namespace; default `default`. */
  readonly namespace?: string
}

/**
 * renderKubeconfig writes a kubeconfig in the names `oc login` uses (cluster `127-0-0-1:8443`,
 * context `default/127-0-0-1:8443/admin`), so it merges with other kubeconfigs without clashes.
 */
export function renderKubeconfig(o: KubeconfigOptions): string {
  const namespace = o.namespace ?? 'default'
  const { cluster, user, context } = contextNames(o.server, 'admin', namespace)
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: cluster,
        cluster: {
          server: o.server,
          'certificate-authority-data': Buffer.from(o.caCertPem).toString('base64'),
        },
      },
    ],
    users: [{ name: user, user: { token: o.token } }],
    contexts: [{ name: context, context: { cluster, namespace, user } }],
    'current-context': context,
    preferences: {},
  })
}

/** writeKubeconfig writes `<dataDir>/admin.kubeconfig` (0600) and returns its path. */
export async function writeKubeconfig(dataDir: string, o: KubeconfigOptions): Promise<string> {
  const path = join(dataDir, ADMIN_FILES.kubeconfig)
  await writePrivate(path, renderKubeconfig(o))
  return path
}

/** serverURL is the https URL clients use for a bound address; a wildcard bind is reached on loopback. */
export function serverURL(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host
  return `https://${h.includes(':') ? `[${h}]` : h}:${port}`
}
