/**
 * Composition root of `isctl serve`: validates the flags, opens the store `--store` names, makes
 * or reuses the identity (PKI, signing key, admin token) in the data dir, or in the store when
 * replicas share it, builds the API server, listens, writes admin.kubeconfig with the address
 * actually bound, and shuts down cleanly on SIGTERM/SIGINT.
 * Loaded lazily by the entry point, so no other verb pays for fastify or the store.
 */
import { X509Certificate } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { hostname, networkInterfaces } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isIP, type AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import { IMAGE_REFERENCES, RESOURCE_LIST, type ImageStream } from '../api/index.js'
import { CliError, UsageError } from '../cli/errors.js'
import type { CommandIO } from '../cli/io.js'
import { keyringFromDockerConfig, type Keyring } from '../credentials/index.js'
import {
  createAgents,
  createRegistryClient,
  formatPlatform,
  hostPlatform,
  parsePlatform,
  type PlatformSpec,
  type ResponseObserver,
} from '../registry/index.js'
import { BlobCache, registerDistribution } from '../distribution/index.js'
import {
  EventExpiry,
  EventRecorder,
  namespaceKeyring,
  ScheduledImports,
  ScheduledPrune,
  storePruneTarget,
  TagImportController,
} from '../scheduler/index.js'
import { registerImageStreamImports } from '../server/imagestreamimports.js'
import { registerOpenAPI } from '../server/openapi/index.js'
import { serverURL, writeKubeconfig } from '../server/auth/admin-credentials.js'
import { HtpasswdFile, HtpasswdLoadError } from '../server/auth/htpasswd-file.js'
import { registerOAuthApi } from '../server/auth/oauth-api.js'
import { registerOAuthServer } from '../server/auth/oauth-server.js'
import { loadConsoleFiles, registerConsole } from '../server/console.js'
import { OAuthTokenAuthenticator } from '../server/auth/oauth-tokens.js'
import { createServer } from '../server/app.js'
import { AuditLog, type AuditSink } from '../server/audit/index.js'
import { RotatingLogFile } from '../lib/rotating-log-file.js'
import { storePingCheck, storeSpaceCheck, type StorePing } from '../server/health.js'
import { createServerMetrics, registerMetrics } from '../server/metrics.js'
import {
  ensureDefaults,
  EVENTS_V1_DISCOVERY,
  LAYERS_DISCOVERY,
  OPENAPI_RESOURCES,
  registerResources,
  SCHEDULE_DISCOVERY,
  PROJECTS_DISCOVERY,
  SECRETS_DISCOVERY,
} from '../server/resources/index.js'
import { ADMIN_USER, anyAuthenticator, createTokenAuthenticator } from '../server/auth/index.js'
import { registerIssuerDiscovery } from '../server/auth/service-account-issuer-discovery.js'
import {
  createServiceAccountAuthenticator,
  type ServiceAccountAuthenticator,
} from '../server/auth/service-account-tokens.js'
import { registerTokenRequest, TOKEN_REQUEST_DISCOVERY } from '../server/auth/token-request.js'
import { closeLog, createLogger, stdoutDestination } from '../server/logger.js'
import { PkiError } from '../server/pki.js'
import { dataDirIdentity, type IdentitySource } from '../server/identity/identity.js'
import { storeIdentity } from '../server/identity/store-identity.js'
import { startRbacAuthorizer } from '../server/auth/rbac-authorizer.js'
import { reconcileDefaultPolicy } from '../server/auth/reconcile.js'
import { createStoreErrorMapper } from '../server/store-errors.js'
import type { RegistryAllowList } from '../reference/index.js'
import { isStoreError, sharedList, type Store } from '../storage/index.js'
import { isSharedStore, openStore } from './open-store.js'
import {
  DatabaseInUseError,
  DataDirInUseError,
  lockDatabase,
  lockDataDir,
  type DataDirLock,
} from './data-dir-lock.js'
import {
  completeServeOptions,
  redactStoreURL,
  STORE_FILE,
  type ServeFlags,
  type ServeOptions,
  type StoreLocation,
} from './serve-options.js'
import {
  AllowedRegistriesFileError,
  readAllowedRegistries,
  watchAllowedRegistries,
  type WatchedAllowList,
} from './allowed-registries-file.js'
import { packageVersion } from '../cli/commands/version.js'

/**
 * consoleDir is dist/console of the package this module belongs to: found from the nearest
 * package.json up, so that both the built server and a run from the sources (tsx) find it.
 */
function consoleDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir)
  return join(dir, 'dist', 'console')
}

/** After this long, connections still open at shutdown (stuck clients, unended streams) are cut. */
const SHUTDOWN_GRACE_MS = 10_000
/** How long an exiting server waits for its log's reader to take the last lines. */
const LOG_CLOSE_GRACE_MS = 2_000

/** ServerSettings are the import settings the resource handlers and the importer will take. */
export interface ServerSettings {
  /** `host[:port]` in status.dockerImageRepository: the flag, else the bound listen address (known once listening). */
  readonly registryHostname: () => string
  /** `host[:port]` in status.publicDockerImageRepository; undefined leaves the field out. */
  readonly registryPublicHostname: string | undefined
  readonly platform: PlatformSpec
  readonly defaultImportMode: ServeOptions['defaultImportMode']
  /** Credentials tried after a namespace's pull secrets. */
  readonly globalPullSecret: Keyring | undefined
  /** PEM bundle trusted for registry TLS besides the system roots. */
  readonly additionalTrustedCa: string | undefined
  readonly maxImagesBulkImportedPerRepository: number
  readonly scheduledImportIntervalMs: number
  /** The registries references may name (`--allowed-registries-for-import`); undefined allows all. */
  readonly allowedRegistries: RegistryAllowList | undefined
}

function fileProblem(err: unknown): string {
  if (err instanceof Error && 'code' in err) {
    if (err.code === 'ENOENT') return 'no such file or directory'
    if (err.code === 'EACCES') return 'permission denied'
    if (err.code === 'EISDIR') return 'is a directory'
  }
  return err instanceof Error ? err.message : String(err)
}

async function readFlagFile(flag: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    throw new CliError(`unable to read ${flag}: ${path}: ${fileProblem(err)}`)
  }
}

async function loadGlobalPullSecret(
  path: string | undefined,
  warn: (message: string) => void,
): Promise<Keyring | undefined> {
  if (path === undefined) return undefined
  const { keyring, warnings } = keyringFromDockerConfig(
    await readFlagFile('--global-pull-secret', path),
    path,
  )
  // Malformed entries are skipped, as for --registry-config: the others still work.
  for (const w of warnings) warn(w.message)
  return keyring
}

async function loadTrustedCA(path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined
  const pem = await readFlagFile('--additional-trusted-ca', path)
  try {
    new X509Certificate(pem)
  } catch {
    throw new CliError(`--additional-trusted-ca: ${path} is not a PEM certificate bundle`)
  }
  return pem
}

/** How often the --allowed-registries-for-import file is looked at for changes. */
const ALLOWED_REGISTRIES_POLL_MS = 2_000

/**
 * loadAllowedRegistries reads the file (a problem stops the start) and follows its changes
 * (docs/imports.md#allowed-registries).
 */
async function loadAllowedRegistries(
  path: string | undefined,
  integratedRegistry: () => string | undefined,
  logger: Logger,
): Promise<WatchedAllowList | undefined> {
  if (path === undefined) return undefined
  const text = await readFlagFile('--allowed-registries-for-import', path)
  let initial: RegistryAllowList | undefined
  try {
    initial = readAllowedRegistries(text, path, { integratedRegistry })
  } catch (err) {
    if (err instanceof AllowedRegistriesFileError) {
      throw new CliError(`--allowed-registries-for-import: ${err.message}`)
    }
    throw err
  }
  return watchAllowedRegistries(
    path,
    { list: initial, text },
    {
      integratedRegistry,
      intervalMs: ALLOWED_REGISTRIES_POLL_MS,
      onReload: (list) =>
        logger.info(
          { file: path, restricted: list !== undefined },
          'allowed registries for import reloaded',
        ),
      onError: (message) =>
        logger.error(
          { file: path },
          `allowed registries for import not reloaded, the previous list stays: ${message}`,
        ),
    },
  )
}

function parsePlatformOption(value: string | undefined): PlatformSpec {
  if (value === undefined) return hostPlatform()
  try {
    return parsePlatform(value)
  } catch (err) {
    throw new UsageError(`--platform: ${err instanceof Error ? err.message : String(err)}`)
  }
}

const WILDCARDS = new Set(['0.0.0.0', '::'])

/**
 * certificateHosts are the names the serving certificate covers: the listen host, or every
 * address of this machine for a wildcard bind, the registry hostname, and every
 * --advertise-address. With a shared identity the certificate names the union of every
 * replica's (docs/architecture.md#shared-identity).
 */
function certificateHosts(options: ServeOptions): string[] {
  const hosts: string[] = []
  if (WILDCARDS.has(options.listen.host)) {
    hosts.push(hostname())
    for (const addrs of Object.values(networkInterfaces())) {
      // Link-local IPv6 needs a zone to be reached, which a URL's host cannot carry.
      for (const a of addrs ?? []) if (!a.address.startsWith('fe80:')) hosts.push(a.address)
    }
  } else {
    hosts.push(options.listen.host)
  }
  if (options.registryHostname) {
    hosts.push(options.registryHostname.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1'))
  }
  hosts.push(...options.advertiseAddresses)
  return hosts
}

/** Where the integrated registry keeps the blobs it pulled through, under --data-dir. */
const REGISTRY_CACHE_DIR = 'registry-cache'
/** How often the `store` readiness check pings the store. */
const STORE_PING_INTERVAL_MS = 5_000

/** describeStore names the store for the log, without a password. */
function describeStore(location: StoreLocation): string {
  return location.kind === 'sqlite' ? location.path : redactStoreURL(location.url)
}

/** processStopSignal aborts on the first SIGTERM or SIGINT; a second one exits at once. */
function processStopSignal(onForce: () => void): AbortSignal {
  const stop = new AbortController()
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      onForce()
      process.exit(1)
    }
    stop.abort(signal)
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
  return stop.signal
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}

/**
 * executeServe runs the server until SIGTERM/SIGINT (or `io.signal`, for in-process tests)
 * and resolves to 0 after a clean shutdown; what keeps it from starting is thrown, for the
 * verb's error path to report as every verb's.
 */
export async function executeServe(flags: ServeFlags, io: CommandIO): Promise<number> {
  const options = completeServeOptions(flags, io.env)
  const platform = parsePlatformOption(options.platform)
  const log = stdoutDestination()
  const logger = createLogger({ level: options.logLevel, destination: log })
  const stop = io.signal ?? processStopSignal(() => logger.warn('second signal: exiting now'))

  let store: Store | undefined
  let storePing: StorePing | undefined
  let lock: DataDirLock | undefined
  let databaseLock: DataDirLock | undefined
  let auditFile: RotatingLogFile | undefined
  let users: HtpasswdFile | undefined
  let oauthTokens: OAuthTokenAuthenticator | undefined
  let serviceAccounts: ServiceAccountAuthenticator | undefined
  let allowedRegistries: WatchedAllowList | undefined
  try {
    const globalPullSecret = await loadGlobalPullSecret(options.globalPullSecret, (message) =>
      logger.warn({ file: options.globalPullSecret }, message),
    )
    const additionalTrustedCa = await loadTrustedCA(options.additionalTrustedCa)
    // The integrated registry is always allowed; without --registry-hostname its name is the
    // listen address, known once listening.
    let integratedRegistry = (): string | undefined => options.registryHostname
    allowedRegistries = await loadAllowedRegistries(
      options.allowedRegistriesForImport,
      () => integratedRegistry(),
      logger,
    )
    // Re-read before every run; a file that cannot be read at start is a mistake to say now.
    if (options.prune.workloads !== undefined) {
      await readFlagFile('--prune-workloads', options.prune.workloads)
    }

    // Everything the server writes (the database with its secrets, WAL and journal files
    // included) is for this user only, whatever the caller's umask.
    process.umask(0o077)
    await mkdir(options.dataDir, { recursive: true, mode: 0o700 })
    // Before anything in the directory is read or written (docs/architecture.md).
    lock = await lockDataDir(options.dataDir)
    // An SQLite file outside the data dir is not covered by its lock: it gets its own.
    const sqlitePath = options.store.kind === 'sqlite' ? resolve(options.store.path) : undefined
    if (sqlitePath !== undefined && sqlitePath !== resolve(options.dataDir, STORE_FILE)) {
      await mkdir(dirname(sqlitePath), { recursive: true, mode: 0o700 })
      databaseLock = await lockDatabase(sqlitePath)
    }

    const space = storeSpaceCheck()
    // Which Images streams and lists reference (docs/kubernetes-api.md#image-deletes-and-references).
    store = await openStore(options.store, {
      references: IMAGE_REFERENCES,
      compaction: { maxAgeMs: options.watchCacheWindowMs },
      // Every namespaced create and import checks its namespace (docs/architecture.md#storage).
      cachedResources: ['namespaces'],
      onBackgroundError: (err) => logger.error({ err }, 'store background work failed'),
      onSpaceChange: (full) => {
        if (full) logger.error({ err: full }, 'the store is out of disk space: writes fail')
        else logger.info('the store has space again: writes succeed')
        space.onSpaceChange(full)
      },
    })
    // Replicas sharing a store share one identity, kept in it (docs/architecture.md#shared-identity).
    const identitySource: IdentitySource = isSharedStore(options.store)
      ? storeIdentity(store)
      : dataDirIdentity(options.dataDir)
    const { pki, admin, signingKey } = await identitySource.load(certificateHosts(options))
    logger.info(
      { ca: pki.ca, serving: pki.serving, reason: pki.renewReason, hosts: pki.hosts },
      'serving certificate ready',
    )
    if (admin.state === 'replaced') {
      logger.warn('admin.kubeconfig did not hold the admin token: a new token replaces it')
    }
    logger.info(
      { state: signingKey.state, kid: signingKey.keyId },
      'service account signing key ready',
    )

    let audit: AuditLog | undefined
    if (options.auditLog) {
      const { path, maxBytes, maxBackups } = options.auditLog
      auditFile = path === '-' ? undefined : await openAuditFile(path, maxBytes, maxBackups, logger)
      // Standard output is shared with the server log: one writer keeps lines whole.
      const sink: AuditSink = auditFile ?? { write: (line) => void log.write(line) }
      audit = new AuditLog({ sink })
    }
    users =
      options.htpasswd === undefined ? undefined : await HtpasswdFile.open(options.htpasswd, logger)

    storePing = storePingCheck(store, {
      intervalMs: STORE_PING_INTERVAL_MS,
      onChange: (problem, err) => {
        if (problem === undefined) logger.info('the store answers again: ready')
        else logger.error({ err }, 'the store does not answer: not ready')
      },
    })
    const groupOf = (resource: string) =>
      RESOURCE_LIST.find((r) => r.plural === resource)?.group ?? ''
    oauthTokens = new OAuthTokenAuthenticator({ store, logger })
    await oauthTokens.start()
    // The API's audiences are its issuer, as kube-apiserver's --api-audiences defaults.
    const serviceAccountTokens = {
      store,
      key: signingKey,
      issuer: options.serviceAccountIssuer,
      audiences: [options.serviceAccountIssuer],
    }
    serviceAccounts = createServiceAccountAuthenticator({
      ...serviceAccountTokens,
      onWatchError: (err) => logger.warn({ err }, 'service account token watch failed'),
    })
    await serviceAccounts.start()
    const auth = anyAuthenticator([
      createTokenAuthenticator([{ sha256: admin.sha256, user: ADMIN_USER }]),
      oauthTokens,
      serviceAccounts,
    ])
    // Roles and bindings (docs/access-control.md): defaults reconciled, then followed.
    await reconcileDefaultPolicy(store)
    const authorizer = await startRbacAuthorizer(store, {
      onWatchError: (resource, err) =>
        logger.warn({ err, resource }, 'RBAC watch failed: relisting'),
    })
    const app = createServer({
      store,
      logger,
      auth,
      authorizer,
      resources: [
        ...RESOURCE_LIST,
        SCHEDULE_DISCOVERY,
        SECRETS_DISCOVERY,
        LAYERS_DISCOVERY,
        EVENTS_V1_DISCOVERY,
        TOKEN_REQUEST_DISCOVERY,
        ...PROJECTS_DISCOVERY,
      ],
      tls: { cert: pki.certPem, key: pki.keyPem },
      serverVersion: packageVersion(),
      errorMappers: [createStoreErrorMapper(groupOf)],
      readyChecks: [space.check, storePing.check],
      ...(audit && { audit }),
    })
    app.addHook('onClose', () => authorizer.close())
    const boundURL = () =>
      serverURL(options.listen.host, (app.server.address() as AddressInfo).port)
    // Every served ImageStream shows the registry hostname: the bound address is read once per
    // listen, not per object (reading it is a system call).
    let boundHost: string | undefined
    app.server.on('listening', () => (boundHost = undefined))
    const settings: ServerSettings = {
      registryHostname: () => options.registryHostname ?? (boundHost ??= new URL(boundURL()).host),
      registryPublicHostname: options.registryPublicHostname,
      platform,
      defaultImportMode: options.defaultImportMode,
      globalPullSecret,
      additionalTrustedCa,
      maxImagesBulkImportedPerRepository: options.maxImagesBulkImportedPerRepository,
      scheduledImportIntervalMs: options.scheduledImportIntervalMs,
      allowedRegistries: allowedRegistries?.list,
    }
    integratedRegistry = settings.registryHostname
    const blobs =
      options.registryCacheBytes > 0
        ? await BlobCache.open({
            dir: join(options.dataDir, REGISTRY_CACHE_DIR),
            maxBytes: options.registryCacheBytes,
            logger,
          })
        : undefined
    const watched = store
    const metrics = createServerMetrics({
      schedule: store.schedule,
      watchStats: () => watched.watchStats(),
      ...(blobs && { registryCacheBytes: () => blobs.bytes }),
    })
    registerMetrics(app, metrics)
    // Events are queued and written in batches; expired ones are swept (README "Events").
    const events = new EventRecorder({ store, host: hostname(), logger })
    const eventExpiry = new EventExpiry({ store, logger, ttlMs: options.eventTtlMs })
    const imports = {
      ...importServices(store, settings, logger, metrics.onRegistryResponse),
      events,
    }
    registerImageStreamImports(app, {
      ...imports,
      registryHostname: settings.registryHostname,
      registryPublicHostname: settings.registryPublicHostname,
    })
    registerOpenAPI(app, OPENAPI_RESOURCES)
    // `isctl login` and `oc login -u` (docs/access-control.md#users-and-login).
    registerOAuthServer(app, {
      store,
      passwords: users,
      tokenMaxAgeSeconds: options.tokenMaxAgeSeconds,
      logger,
    })
    registerOAuthApi(app, { store, tokens: oauthTokens })
    // The web console's built files, beside this module's package (docs/console.md).
    const consoleFiles = loadConsoleFiles(consoleDir())
    if (!consoleFiles) logger.warn({}, 'the web console is not built: /console/ will say so')
    registerConsole(app, consoleFiles)
    // A const for the closure below: `store` is a let that shutdown clears.
    const pullStore = store
    const distribution = registerDistribution(app, {
      store,
      ...(blobs && { blobs }),
      onServed: metrics.onPullThrough,
      client: imports.client,
      auth,
      ...(audit && { observer: audit.registry }),
      // OpenShift's registry asks for `get imagestreams/layers` on the stream
      // (docs/integrated-registry.md#authentication).
      mayPull: async (user, namespace, name) =>
        (
          await authorizer.authorize(user, {
            kind: 'resource',
            verb: 'get',
            group: 'image.openshift.io',
            resource: 'imagestreams',
            subresource: 'layers',
            namespace,
            name,
          })
        ).allowed,
      // What OpenShift's registry asks of its pruner for `DELETE /admin/blobs/<digest>`
      // (docs/integrated-registry.md#deleting-cached-content).
      mayPrune: async (user) =>
        (
          await authorizer.authorize(user, {
            kind: 'resource',
            verb: 'delete',
            group: 'image.openshift.io',
            resource: 'images',
          })
        ).allowed,
      allowedRegistries: settings.allowedRegistries,
      keyringFor: async (namespace) =>
        (await namespaceKeyring(pullStore, namespace, settings.globalPullSecret)).keyring,
    })
    // The resource routes, with `store` and `settings`.
    registerResources(app, { store, settings })
    registerTokenRequest(app, {
      ...serviceAccountTokens,
      maxExpirationSeconds: options.serviceAccountMaxTokenExpirationSeconds,
    })
    await registerIssuerDiscovery(app, serviceAccountTokens)
    await ensureDefaults(store)

    try {
      await app.listen({ host: options.listen.host, port: options.listen.port })
    } catch (err) {
      throw new CliError(
        `cannot listen on ${formatHostPort(options.listen.host, options.listen.port)}: ${fileProblem(err)}`,
      )
    }
    const url = boundURL()
    const kubeconfig = await writeKubeconfig(options.dataDir, {
      server: url,
      caCertPem: pki.caCertPem,
      token: admin.token,
    })
    await lock.setAddress(url)
    await databaseLock?.setAddress(url)
    logger.info(
      {
        address: url,
        kubeconfig,
        registryHostname: settings.registryHostname(),
        platform: formatPlatform(settings.platform),
        store: describeStore(options.store),
      },
      'serving',
    )
    // Whoever started the server waits for this line: out now, not with the next batch.
    log.flush()

    eventExpiry.start()
    const scheduling = settings.scheduledImportIntervalMs > 0
    // Both controllers start from one paged list of the streams, read after listening so that
    // requests are answered meanwhile (docs/architecture.md#start-up).
    const initialList = sharedList<ImageStream>(store, 'imagestreams', scheduling ? 2 : 1, {
      signal: app.shutdownSignal,
    })
    const controller = new TagImportController({ ...imports, logger, initialList })
    const controllerDone = controller.run(app.shutdownSignal)
    // After the controller: a new scheduled tag is imported by it and checked an interval later.
    const scheduled = scheduling
      ? new ScheduledImports({
          ...imports,
          initialList,
          intervalMs: settings.scheduledImportIntervalMs,
          perRegistryConcurrency: options.scheduledImportRegistryConcurrency,
          perRegistryRequestsPerSecond: options.scheduledImportRegistryQps || Infinity,
          leaseMs: options.scheduledImportLeaseMs,
          metrics: metrics.schedule,
          logger,
        })
      : undefined
    await scheduled?.start()
    const pruner =
      options.prune.intervalMs > 0
        ? new ScheduledPrune({
            target: storePruneTarget({
              store,
              dropCached: (digest) => distribution.dropCached(digest),
            }),
            leases: store,
            intervalMs: options.prune.intervalMs,
            keepTagRevisions: options.prune.keepTagRevisions,
            keepYoungerThanMs: options.prune.keepYoungerThanMs,
            keepPulledWithinMs: options.prune.keepPulledWithinMs,
            workloadsFile: options.prune.workloads,
            ignoreInvalidRefs: options.prune.ignoreInvalidRefs,
            metrics: metrics.prune,
            logger,
          })
        : undefined
    pruner?.start()

    await untilAborted(stop)
    logger.info({ signal: String(stop.reason) }, 'shutting down')
    // app.close waits for in-flight requests; a stuck one must not keep the process up forever.
    const force = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS)
    force.unref()
    try {
      await app.close()
    } finally {
      clearTimeout(force)
    }
    await pruner?.stop()
    await scheduled?.stop()
    await controllerDone
    await events.close()
    await eventExpiry.stop()
    await oauthTokens.close()
    users?.close()
    await imports.agents.close()
    // Blobs whose answer ended are kept rather than left for the next start to drop, and
    // pulls already answered are recorded.
    await blobs?.settled()
    await distribution.settled()
    await serviceAccounts.stop()
    storePing.stop()
    await store?.close()
    store = undefined
    // After the server closed: every request has been answered, and its line queued.
    await auditFile?.close()
    allowedRegistries?.close()
    await databaseLock?.release()
    await lock.release()
    logger.info('stopped')
    await closeLog(log, LOG_CLOSE_GRACE_MS)
    return 0
  } catch (err) {
    users?.close()
    await oauthTokens?.close()
    await serviceAccounts?.stop()
    allowedRegistries?.close()
    storePing?.stop()
    await store?.close().catch(() => undefined)
    await auditFile?.close().catch(() => undefined)
    await databaseLock?.release()
    await lock?.release()
    if (!(
      err instanceof DataDirInUseError ||
      err instanceof DatabaseInUseError ||
      err instanceof CliError ||
      err instanceof HtpasswdLoadError ||
      err instanceof UsageError ||
      err instanceof PkiError ||
      isStoreError(err)
    )) {
      logger.error({ err }, 'serve failed')
    }
    await closeLog(log, LOG_CLOSE_GRACE_MS)
    throw err
  }
}

/**
 * openAuditFile opens the audit log file; a disk that fails later is logged (once per outage)
 * and its lines dropped, but the server keeps serving.
 */
async function openAuditFile(
  path: string,
  maxBytes: number,
  maxBackups: number,
  logger: Logger,
): Promise<RotatingLogFile> {
  try {
    return await RotatingLogFile.open({
      path,
      maxBytes,
      maxBackups,
      onError: (err) =>
        logger.error(
          { err, file: path },
          'cannot write the audit log: its lines are dropped until it can be written again',
        ),
      onRecovered: (dropped) =>
        logger.info({ file: path, dropped }, 'the audit log is written again'),
    })
  } catch (err) {
    throw new CliError(`unable to open --audit-log: ${path}: ${fileProblem(err)}`)
  }
}

/** importServices builds the registry client and import settings shared by every import. */
function importServices(
  store: Store,
  settings: ServerSettings,
  logger: Logger,
  onResponse: ResponseObserver,
) {
  const agents = createAgents({ additionalCA: settings.additionalTrustedCa })
  const client = createRegistryClient({
    agents,
    logger: { warn: (context, message) => logger.warn(context, message) },
    onResponse,
  })
  return {
    agents,
    store,
    client,
    globalKeyring: settings.globalPullSecret,
    policy: {
      defaultImportMode: settings.defaultImportMode,
      platform: settings.platform,
      maxImagesBulkImportedPerRepository: settings.maxImagesBulkImportedPerRepository,
      concurrency: 4,
      allowedRegistries: settings.allowedRegistries,
    },
  }
}

function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`
}
