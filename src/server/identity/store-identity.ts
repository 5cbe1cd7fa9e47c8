/**
 * The identity kept in a store several replicas share (docs/architecture.md#shared-identity):
 * one object per part in the internal `serveridentity` resource, which no API route serves.
 * Each part is created by whichever replica comes first; a replica that loses the race
 * (AlreadyExists) reads back the winner's. A part that no longer fits (a CA near expiry, a
 * serving certificate that misses a replica's name) is replaced with a compare-and-swap on its
 * resourceVersion, so two replicas replacing it at once end with one of their versions, and the
 * loser retries from it.
 */
import {
  isStoreError,
  objectKey,
  type ObjectKey,
  type Store,
  type StoredObject,
} from '../../storage/index.js'
import { generateToken, type AdminToken } from '../auth/admin-credentials.js'
import { hashToken } from '../auth/index.js'
import { generateSigningKeyPem, signingKeyFromPem } from '../auth/service-account-key.js'
import {
  caFromPem,
  createCA,
  createServingCert,
  LOOPBACK_HOSTS,
  PkiError,
  servingFromPem,
  servingProblem,
  uniqueHosts,
  type ServingPki,
} from '../pki.js'
import type { IdentitySource, ServerIdentity } from './identity.js'

/**
 * IDENTITY_RESOURCE is the internal resource of the identity objects. It is in no resource
 * registry, so no route, list or watch a client can make reaches it.
 */
export const IDENTITY_RESOURCE = 'serveridentity'

/** The object names of the identity's parts. */
export const IDENTITY_OBJECTS = {
  ca: 'ca',
  serving: 'serving',
  signingKey: 'service-account-signing-key',
  admin: 'admin-token',
} as const

/** Attempts at one part before giving up: each lost race costs one. */
const MAX_ATTEMPTS = 16

/** IdentityObject is one stored part: its data, strings only. */
interface IdentityObject<D> extends StoredObject {
  readonly data: D
}

interface CAData {
  readonly certPem: string
  readonly keyPem: string
}
interface ServingData {
  readonly certPem: string
  readonly keyPem: string
  /** Every name the certificate covers, loopback included: the union re-issues start from. */
  readonly hosts: readonly string[]
}
interface SigningKeyData {
  readonly privateKeyPem: string
}
interface AdminData {
  readonly token: string
}

/** PartResult is one part as this start found it. */
interface PartResult<D> {
  readonly data: D
  readonly state: 'created' | 'reused' | 'renewed'
  /** Why it was renewed. */
  readonly reason?: string
}

/** PartRules say how to make a part and whether a stored one may be used as it is. */
interface PartRules<D> {
  /** make builds a new part; `current` is the stored one it replaces, if any. */
  make(current: D | undefined): Promise<D>
  /** problem says why the stored part cannot be used, or undefined if it can. */
  problem(current: D): Promise<string | undefined> | string | undefined
}

function keyOf(name: string): ObjectKey {
  return objectKey(IDENTITY_RESOURCE, name)
}

function wrap<D>(name: string, data: D): IdentityObject<D> {
  return {
    apiVersion: 'internal.imagestreams.io/v1',
    kind: 'ServerIdentity',
    metadata: { name },
    data,
  }
}

/** ensurePart reads the part, or creates or replaces it, racing other replicas safely. */
async function ensurePart<D>(
  store: Store,
  name: string,
  rules: PartRules<D>,
): Promise<PartResult<D>> {
  const key = keyOf(name)
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let current: IdentityObject<D> | undefined
    try {
      current = await store.get<IdentityObject<D>>(key)
    } catch (err) {
      if (!isStoreError(err, 'NotFound')) throw err
    }
    if (current === undefined) {
      const data = await rules.make(undefined)
      try {
        await store.create(key, wrap(name, data))
        return { data, state: 'created' }
      } catch (err) {
        // Another replica created it meanwhile: use theirs.
        if (isStoreError(err, 'AlreadyExists')) continue
        throw err
      }
    }
    const reason = await rules.problem(current.data)
    if (reason === undefined) return { data: current.data, state: 'reused' }
    const data = await rules.make(current.data)
    try {
      await store.update(key, wrap(name, data), {
        expectedResourceVersion: current.metadata.resourceVersion ?? '',
      })
      return { data, state: 'renewed', reason }
    } catch (err) {
      // Another replica replaced it meanwhile: judge theirs.
      if (isStoreError(err, 'Conflict') || isStoreError(err, 'NotFound')) continue
      throw err
    }
  }
  throw new PkiError(
    `the shared ${name} kept changing while this server read it (${MAX_ATTEMPTS} attempts); start it again`,
  )
}

function storedFix(name: string, consequence: string): string {
  return `remove the stored ${IDENTITY_RESOURCE}/${name} object to have a new one made (${consequence})`
}

/** storeIdentity keeps the identity in `store`, shared by every server on it. */
export function storeIdentity(store: Store, now: () => Date = () => new Date()): IdentitySource {
  return {
    async load(requested): Promise<ServerIdentity> {
      const at = now()
      const hosts = uniqueHosts([...requested, ...LOOPBACK_HOSTS])

      const caWhere = {
        cert: `the shared CA (${IDENTITY_RESOURCE}/${IDENTITY_OBJECTS.ca})`,
        key: 'its key',
        fix: storedFix(IDENTITY_OBJECTS.ca, 'clients must then use a new admin.kubeconfig'),
      }
      const caPart = await ensurePart<CAData>(store, IDENTITY_OBJECTS.ca, {
        make: async () => {
          const made = await createCA(at)
          return { certPem: made.certPem, keyPem: made.keyPem }
        },
        problem: async (d) =>
          (await caFromPem(d.certPem, d.keyPem, at, caWhere)) === undefined
            ? 'it expires within 30 days'
            : undefined,
      })
      const loadedCA = await caFromPem(caPart.data.certPem, caPart.data.keyPem, at, caWhere)
      if (!loadedCA) throw new PkiError(`the shared CA has just expired: ${caWhere.fix}`)

      const servingPart = await ensurePart<ServingData>(store, IDENTITY_OBJECTS.serving, {
        make: async (current) => {
          // The union: the names other replicas need stay in.
          const names = uniqueHosts([...(current?.hosts ?? []), ...hosts])
          const made = await createServingCert(loadedCA, names, at)
          return { ...made, hosts: names }
        },
        problem: (d) => {
          const parsed = servingFromPem(d.certPem, d.keyPem)
          return parsed ? servingProblem(parsed, loadedCA, hosts, at) : 'it does not parse'
        },
      })

      const keyWhere = `the shared service-account signing key (${IDENTITY_RESOURCE}/${IDENTITY_OBJECTS.signingKey})`
      const keyPart = await ensurePart<SigningKeyData>(store, IDENTITY_OBJECTS.signingKey, {
        make: async () => ({ privateKeyPem: await generateSigningKeyPem() }),
        // A key that does not parse is refused below, not replaced: replacing it would end
        // every token issued so far on every replica.
        problem: () => undefined,
      })
      const signingKey = signingKeyFromPem(
        keyPart.data.privateKeyPem,
        keyPart.state === 'created' ? 'created' : 'reused',
        keyWhere,
        storedFix(
          IDENTITY_OBJECTS.signingKey,
          'every service-account token issued so far stops working',
        ),
      )

      const adminPart = await ensurePart<AdminData>(store, IDENTITY_OBJECTS.admin, {
        make: () => Promise.resolve({ token: generateToken() }),
        problem: (d) => (typeof d.token === 'string' && d.token !== '' ? undefined : 'it is empty'),
      })
      const admin: AdminToken = {
        token: adminPart.data.token,
        sha256: hashToken(adminPart.data.token),
        state:
          adminPart.state === 'created'
            ? 'created'
            : adminPart.state === 'renewed'
              ? 'replaced'
              : 'reused',
      }

      const pki: ServingPki = {
        caCertPem: loadedCA.certPem,
        certPem: servingPart.data.certPem,
        keyPem: servingPart.data.keyPem,
        ca: caPart.state === 'reused' ? 'reused' : 'created',
        serving: servingPart.state,
        ...(servingPart.reason !== undefined && { renewReason: servingPart.reason }),
        hosts: servingPart.data.hosts,
      }
      return { pki, admin, signingKey }
    },
  }
}
