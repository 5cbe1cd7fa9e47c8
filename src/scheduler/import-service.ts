/**
 * The one way an import reaches the store (docs/imports.md#the-import-request): read the stream and
 * the namespace's pull secrets, run the import engine, then write the new Images and the stream in
 * one transaction, running again on a conflicting write so that nothing is lost. The
 * imagestreamimports endpoint and the tag-import controller both come through here.
 */
import type { Image, ImageStream, ImageStreamImport, Secret } from '../api/index.js'
import {
  isImportPullSecret,
  misTypedPullSecret,
  withTagsSorted,
  type MisTypedPullSecret,
} from '../api/index.js'
import {
  combineKeyrings,
  keyringFromSecrets,
  type Keyring,
  type PullSecret,
} from '../credentials/index.js'
import { applyImport, planImport, type ImportPlan, type ImportPolicy } from '../importer/index.js'
import type { RegistryClient } from '../registry/index.js'
import {
  grantPull,
  isStoreError,
  objectKey,
  type Store,
  type StoreTransaction,
} from '../storage/index.js'
import type { EventSink } from './event-recorder.js'
import { importEvents } from './import-events.js'

/** ImportServiceDeps are the long-lived collaborators of every import. */
export interface ImportServiceDeps {
  readonly store: Store
  readonly client: RegistryClient
  readonly policy: ImportPolicy
  /** The server-wide pull secret, tried after the namespace's. */
  readonly globalKeyring?: Keyring | undefined
  readonly now?: () => Date
  /** Where the Events of stored imports go (queued: recording costs the import nothing). */
  readonly events?: EventSink
}

/** ImportResult is the answered ImageStreamImport and the stream as stored (if written or existing). */
export interface ImportResult {
  readonly isi: ImageStreamImport
  readonly stream: ImageStream | undefined
}

/** PreconditionFailed: the request named a stream version or uid that does not match. */
export class ImportPreconditionError extends Error {
  readonly code = 'Conflict'
}

/** NamespaceCredentials are a namespace's keyring and what its secrets got wrong. */
export interface NamespaceCredentials {
  readonly keyring: Keyring
  /** Pull secrets skipped as malformed. */
  readonly warnings: ReturnType<typeof keyringFromSecrets>['warnings']
  /** Opaque secrets with a pull-secret key: ignored, and named when an import is refused. */
  readonly misTyped: readonly MisTypedPullSecret[]
}

/** namespaceKeyring builds the credentials of a namespace: its pull secrets, then the global one. */
export async function namespaceKeyring(
  store: Store,
  namespace: string,
  global: Keyring | undefined,
): Promise<NamespaceCredentials> {
  const { items } = await store.list<Secret>('secrets', { namespace })
  const pull: PullSecret[] = items.filter(isImportPullSecret).map((s) => ({
    name: `${namespace}/${s.metadata.name ?? ''}`,
    type: s.type ?? '',
    data: s.data ?? {},
  }))
  const { keyring, warnings } = keyringFromSecrets(pull)
  const misTyped = items.flatMap((s) => misTypedPullSecret(s) ?? [])
  return { keyring: global ? combineKeyrings(keyring, global) : keyring, warnings, misTyped }
}

/** importInto runs `isi` against its stream in `namespace` and stores the outcome. */
export async function importInto(
  deps: ImportServiceDeps,
  namespace: string,
  isi: ImageStreamImport,
  signal?: AbortSignal,
): Promise<ImportResult> {
  const name = isi.metadata.name ?? ''
  const streamKey = objectKey('imagestreams', name, namespace)
  const { keyring, warnings, misTyped } = await namespaceKeyring(
    deps.store,
    namespace,
    deps.globalKeyring,
  )
  const known = async (digest: string): Promise<Image | undefined> => {
    try {
      return await deps.store.get<Image>(objectKey('images', digest))
    } catch (err) {
      if (isStoreError(err, 'NotFound')) return undefined
      throw err
    }
  }
  const current = await getStream(deps.store, streamKey)
  checkPreconditions(isi, current)
  const request = { ...isi, metadata: { ...isi.metadata, namespace } }
  const now = (deps.now ?? (() => new Date()))()
  const importDeps = {
    client: deps.client,
    keyring,
    warnings,
    misTypedSecrets: misTyped,
    policy: deps.policy,
    known,
    now,
    signal,
  }
  const plan = await planImport(request, current, importDeps)
  const answer = (stream: ImageStream | undefined): ImportResult => ({
    isi: {
      ...isi,
      status: { ...plan.status, ...(!plan.dryRun && stream && { import: stream }) },
    },
    stream,
  })
  if (plan.dryRun) return answer(current)
  // The registry work is done; the write reads the latest stream inside the transaction, so
  // concurrent imports into one stream apply one after another and none is lost.
  let before: ImageStream | undefined
  const stored = await deps.store.transaction(async (tx) => {
    const latest = await getStream(tx, streamKey)
    before = latest
    checkPreconditions(isi, latest)
    // Each image fetched here was read with the namespace's own credentials: the namespace may
    // pull it from the registry's caches (docs/integrated-registry.md#what-a-namespace-may-pull-from-the-caches).
    // Granted before the stream names it, in the same transaction.
    for (const digest of importedImages(plan)) await grantPull(tx, namespace, digest, 'Import')
    const applied = applyImport(request, latest, plan, importDeps)
    if (!applied) return latest
    const next = withTagsSorted(applied)
    await createImages(tx, plan.images)
    if (!latest) return tx.create<ImageStream>(streamKey, next)
    return tx.update<ImageStream>(streamKey, next, {
      expectedResourceVersion: latest.metadata.resourceVersion,
    })
  })
  const result = answer(stored)
  if (deps.events) {
    for (const event of importEvents(result.isi, before, stored)) deps.events.record(event)
  }
  return result
}

/**
 * importedImages are the top-level images the import read from their registries: a list covers
 * its children, as the registry reaches them through it.
 */
function importedImages(plan: ImportPlan): Set<string> {
  const digests = new Set<string>()
  for (const o of plan.outcomes) {
    if (o.result) digests.add(o.result.image.metadata.name ?? '')
  }
  return digests
}

async function getStream(store: Pick<Store, 'get'>, key: ReturnType<typeof objectKey>) {
  try {
    return await store.get<ImageStream>(key)
  } catch (err) {
    if (isStoreError(err, 'NotFound')) return undefined
    throw err
  }
}

/**
 * A request naming the stream's resourceVersion or uid only applies to that version, as in
 * OpenShift's imagestreamimport REST Create.
 */
function checkPreconditions(isi: ImageStreamImport, current: ImageStream | undefined): void {
  const { resourceVersion, uid } = isi.metadata
  if (!resourceVersion && !uid) return
  if (!current)
    throw new ImportPreconditionError(`the image stream ${isi.metadata.name ?? ''} does not exist`)
  if (uid && uid !== current.metadata.uid) {
    throw new ImportPreconditionError('the image stream was deleted and recreated (uid changed)')
  }
  if (resourceVersion && resourceVersion !== current.metadata.resourceVersion) {
    throw new ImportPreconditionError(
      'the object has been modified; please apply your changes to the latest version and try again',
    )
  }
}

/** createImages stores new Images; an Image is content-addressed, so an existing one is kept. */
async function createImages(tx: StoreTransaction, images: readonly Image[]): Promise<void> {
  const seen = new Set<string>()
  for (const image of images) {
    const name = image.metadata.name ?? ''
    if (seen.has(name)) continue
    seen.add(name)
    try {
      await tx.create<Image>(objectKey('images', name), image)
    } catch (err) {
      if (!isStoreError(err, 'AlreadyExists')) throw err
    }
  }
}
