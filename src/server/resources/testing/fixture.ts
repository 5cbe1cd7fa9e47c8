/**
 * A real API server for the resource tests: createServer with an admin token, the resource
 * routes, and a SQLite store in a temp dir; requests go through fastify's inject(). The clock of
 * the Tables is pinned so ages are exact.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { IMAGE_REFERENCES, RESOURCE_LIST } from '../../../api/index.js'
import type { RegistryAllowList } from '../../../reference/index.js'
import { createAgents, createRegistryClient, parsePlatform } from '../../../registry/index.js'
import type { Store, StoreOptions } from '../../../storage/index.js'
import { openSqliteStore } from '../../../storage/sqlite/index.js'
import { ManualClock } from '../../../storage/testing/manual-clock.js'
import { createServer } from '../../app.js'
import {
  ADMIN_USER,
  createAdminAuthorizer,
  createTokenAuthenticator,
  hashToken,
  type Authorizer,
  type TokenEntry,
  type UserInfo,
} from '../../auth/index.js'
import { startRbacAuthorizer } from '../../auth/rbac-authorizer.js'
import { reconcileDefaultPolicy } from '../../auth/reconcile.js'
import { registerImageStreamImports } from '../../imagestreamimports.js'
import { storeSpaceCheck } from '../../health.js'
import { createLogger } from '../../logger.js'
import { ensurePki } from '../../pki.js'
import { createStoreErrorMapper } from '../../store-errors.js'
import type { ResourceSettings } from '../context.js'
import {
  ensureDefaults,
  EVENTS_V1_DISCOVERY,
  registerResources,
  SCHEDULE_DISCOVERY,
} from '../index.js'

/** TOKEN is the admin bearer token of the fixture. */
export const TOKEN = 'test-admin-token'
/** REGISTRY is the fixture's registry hostname. */
export const REGISTRY = 'registry.test:5000'
/** START is when the fixture's clock starts: 2026-01-01T00:00:00Z. */
export const START = Date.parse('2026-01-01T00:00:00Z')

/** TABLE_ACCEPT is the Accept header of `kubectl get` (docs/kubernetes-api.md#tables). */
export const TABLE_ACCEPT =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'

/** Fixture is a running app with its store. */
export interface Fixture {
  readonly app: FastifyInstance
  readonly store: Store
  readonly dir: string
  readonly logs: string[]
  /** The CA that signed the serving certificate (for tests that listen). */
  readonly caCertPem: string
  /** The clock of the store and the Tables; time moves only with clock.advance(). */
  readonly clock: ManualClock
  /** pragma runs a PRAGMA on the store's writer connection (max_page_count fills the store). */
  readonly pragma: (source: string) => unknown
  /** request injects with the admin token; `body` is sent as JSON unless `contentType` says otherwise. */
  request(options: RequestOptions): Promise<LightMyRequestResponse>
  /**
   * synced waits until the authorizer applied the write of `resource` at `resourceVersion`
   * (RBAC fixtures; the admin-only policy has nothing to wait for).
   */
  synced(resource: string, resourceVersion: string): Promise<void>
  /** createNamespace creates the namespace `name` through the API, failing unless it is created. */
  createNamespace(name: string): Promise<void>
  close(): Promise<void>
}

/** RequestOptions are inject options with conveniences. */
export interface RequestOptions {
  readonly method: InjectOptions['method']
  readonly url: string
  readonly body?: unknown
  readonly contentType?: string
  readonly accept?: string
  readonly headers?: Record<string, string>
  /** The bearer token; the admin's unless given. */
  readonly token?: string
}

/**
 * FixtureUsers are extra identities by bearer token. Given them, the fixture authorizes with
 * RBAC and the default policy (src/server/auth) instead of the admin-only policy.
 */
export type FixtureUsers = Readonly<Record<string, UserInfo>>

/** ExtendApp adds routes to the fixture's app before it starts (e.g. imagestreamimports). */
export type ExtendApp = (app: FastifyInstance, store: Store) => void

/**
 * withImageStreamImports serves imagestreamimports too, for tests whose imports are refused
 * (or dry runs) before the registry client would reach a registry.
 */
export const withImageStreamImports: ExtendApp = (app, store) => importsWith()(app, store)

/** importsWith serves imagestreamimports with `allowedRegistries` as the import policy's list. */
export function importsWith(allowedRegistries?: RegistryAllowList): ExtendApp {
  return (app, store) =>
    registerImageStreamImports(app, {
      store,
      client: createRegistryClient({ agents: createAgents({}) }),
      policy: {
        defaultImportMode: 'Legacy',
        platform: parsePlatform('linux/amd64'),
        maxImagesBulkImportedPerRepository: 50,
        concurrency: 1,
        allowedRegistries,
      },
      registryHostname: () => REGISTRY,
    })
}

/**
 * FixtureAuth adds identities besides the admin's: `users` by bearer token, which also switches
 * the fixture to RBAC with the default policy (src/server/auth), or `tokens` as hashed entries;
 * `authorizer` replaces whichever policy that gives.
 */
export interface FixtureAuth {
  readonly users?: FixtureUsers
  readonly tokens?: readonly TokenEntry[]
  readonly authorizer?: Authorizer
}

/** startFixture starts a server (its store tuned by `storeOptions`); call close() when done. */
export async function startFixture(
  settings: Partial<ResourceSettings> = {},
  extend?: ExtendApp,
  storeOptions: StoreOptions = {},
  auth: FixtureAuth = {},
): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'imagestreams-resources-'))
  const pki = await ensurePki({ dataDir: dir, hosts: ['127.0.0.1'] })
  const logs: string[] = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString('utf8'))
      callback()
    },
  })
  const clock = new ManualClock(START)
  const space = storeSpaceCheck()
  let pragma: (source: string) => unknown = () => undefined
  const store = await openSqliteStore({
    ...storeOptions,
    path: join(dir, 'store.db'),
    clock,
    references: IMAGE_REFERENCES,
    onSpaceChange: space.onSpaceChange,
    writerPragma: (run) => (pragma = run),
  })
  const groupOf = (resource: string) =>
    RESOURCE_LIST.find((r) => r.plural === resource)?.group ?? ''
  const { users } = auth
  if (users) await reconcileDefaultPolicy(store)
  const rbac = users ? await startRbacAuthorizer(store) : undefined
  const app = createServer({
    store,
    logger: createLogger({ level: 'info', destination }),
    auth: createTokenAuthenticator([
      { sha256: hashToken(TOKEN), user: ADMIN_USER },
      ...Object.entries(auth.users ?? {}).map(([t, user]) => ({ sha256: hashToken(t), user })),
      ...(auth.tokens ?? []),
    ]),
    authorizer: auth.authorizer ?? rbac ?? createAdminAuthorizer(),
    resources: [...RESOURCE_LIST, SCHEDULE_DISCOVERY, EVENTS_V1_DISCOVERY],
    tls: { cert: pki.certPem, key: pki.keyPem },
    errorMappers: [createStoreErrorMapper(groupOf)],
    readyChecks: [space.check],
  })
  registerResources(app, {
    store,
    settings: { registryHostname: () => REGISTRY, ...settings },
    now: () => clock.now(),
  })
  extend?.(app, store)
  await ensureDefaults(store)
  await app.ready()
  const request = (o: RequestOptions): Promise<LightMyRequestResponse> => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${o.token ?? TOKEN}`,
      ...o.headers,
    }
    if (o.accept !== undefined) headers.accept = o.accept
    let payload: string | Buffer | undefined
    if (o.body !== undefined) {
      headers['content-type'] = o.contentType ?? 'application/json'
      payload =
        typeof o.body === 'string' || Buffer.isBuffer(o.body) ? o.body : JSON.stringify(o.body)
    }
    return app.inject({
      method: o.method,
      url: o.url,
      headers,
      ...(payload === undefined ? {} : { payload }),
    })
  }
  return {
    app,
    store,
    dir,
    logs,
    caCertPem: pki.caCertPem,
    clock,
    pragma: (source) => pragma(source),
    request,
    synced: (resource, resourceVersion) =>
      rbac ? rbac.synced(resource, resourceVersion) : Promise.resolve(),
    createNamespace: async (name) => {
      const res = await request({
        method: 'POST',
        url: '/api/v1/namespaces',
        body: { metadata: { name } },
      })
      if (res.statusCode !== 201)
        throw new Error(`namespace ${name}: ${res.statusCode} ${res.body}`)
    },
    close: async () => {
      rbac?.close()
      await app.close()
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
