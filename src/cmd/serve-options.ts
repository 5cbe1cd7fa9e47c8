/**
 * `isctl serve`: the flags and help, and their validation into ServeOptions. Kept free of server
 * code because the entry point loads it for every invocation to build the verb tree; the server
 * itself is src/cmd/serve.ts, loaded only when `serve` runs.
 */
import type { Command } from 'commander'
import { isIP } from 'node:net'
import { join } from 'node:path'
import { UsageError } from '../cli/errors.js'
import { parseDuration } from '../lib/duration.js'
import { PRUNE_DEFAULTS } from '../pruner/types.js'

/** ServeFlags are the flags of `serve` as commander hands them over. */
export interface ServeFlags {
  readonly dataDir?: string | undefined
  readonly store?: string | undefined
  readonly advertiseAddress?: readonly string[] | undefined
  readonly listen?: string | undefined
  readonly registryHostname?: string | undefined
  readonly registryPublicHostname?: string | undefined
  readonly platform?: string | undefined
  readonly defaultImportMode?: string | undefined
  readonly globalPullSecret?: string | undefined
  readonly additionalTrustedCa?: string | undefined
  readonly allowedRegistriesForImport?: string | undefined
  readonly maxImagesBulkImportedPerRepository?: string | undefined
  readonly scheduledImportInterval?: string | undefined
  readonly scheduledImportRegistryConcurrency?: string | undefined
  readonly scheduledImportRegistryQps?: string | undefined
  readonly scheduledImportLease?: string | undefined
  readonly watchCacheWindow?: string | undefined
  readonly registryCacheSize?: string | undefined
  readonly eventTtl?: string | undefined
  readonly htpasswd?: string | undefined
  readonly tokenMaxAge?: string | undefined
  readonly serviceAccountIssuer?: string | undefined
  readonly serviceAccountMaxTokenExpiration?: string | undefined
  readonly pruneSchedule?: string | undefined
  readonly pruneKeepTagRevisions?: string | undefined
  readonly pruneKeepYoungerThan?: string | undefined
  readonly pruneKeepPulledWithin?: string | undefined
  readonly pruneWorkloads?: string | undefined
  readonly pruneIgnoreInvalidRefs?: boolean | undefined
  readonly logLevel?: string | undefined
  readonly auditLog?: string | undefined
  readonly auditLogMaxsize?: string | undefined
  readonly auditLogMaxbackup?: string | undefined
}

/** ImportMode is an ImageStream tag's importPolicy.importMode. */
export type ImportMode = 'Legacy' | 'PreserveOriginal'

/** HostPort is a parsed listen address; host '' is never produced (a bare `:port` binds every interface). */
export interface HostPort {
  readonly host: string
  readonly port: number
}

/**
 * StoreLocation says which backend holds the data (docs/architecture.md#several-replicas):
 * SQLite at a path (the data dir's imagestreams.db by default), or a PostgreSQL database that
 * several servers may share.
 */
export type StoreLocation =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string }

/** STORE_ENV is the environment variable that gives --store when the flag is absent. */
export const STORE_ENV = 'IMAGESTREAMS_STORE'

/** STORE_FILE is the SQLite database's file name in the data dir. */
export const STORE_FILE = 'imagestreams.db'

/** ServeOptions are the validated options of one `serve` run. */
export interface ServeOptions {
  readonly dataDir: string
  readonly store: StoreLocation
  /** Names clients reach the server by besides the listen address (a load balancer's). */
  readonly advertiseAddresses: readonly string[]
  readonly listen: HostPort
  /** `host[:port]` for status.dockerImageRepository; undefined until the listen address is known. */
  readonly registryHostname: string | undefined
  /** `host[:port]` for status.publicDockerImageRepository; undefined leaves it out. */
  readonly registryPublicHostname: string | undefined
  /** `os/arch[/variant]` for Legacy imports of manifest lists; undefined for the host's. */
  readonly platform: string | undefined
  readonly defaultImportMode: ImportMode
  readonly globalPullSecret: string | undefined
  readonly additionalTrustedCa: string | undefined
  /** File of OpenShift's allowedRegistriesForImport entries; undefined allows every registry. */
  readonly allowedRegistriesForImport: string | undefined
  /** How many tags a repository import brings in at most; -1 for no limit. */
  readonly maxImagesBulkImportedPerRepository: number
  readonly scheduledImportIntervalMs: number
  /** Scheduled checks of one registry host at once. */
  readonly scheduledImportRegistryConcurrency: number
  /** Requests per second the scheduler sends one registry host; 0 for no budget. */
  readonly scheduledImportRegistryQps: number
  /** How long a replica holds a claimed due row before another may take it over, in whole ms. */
  readonly scheduledImportLeaseMs: number
  /** How long the watch history is kept (resumable watches and continue tokens), in whole ms. */
  readonly watchCacheWindowMs: number
  /** Bytes of pulled-through blobs the integrated registry keeps on disk; 0 keeps none. */
  readonly registryCacheBytes: number
  /** How long an Event is kept after it was last seen. */
  readonly eventTtlMs: number
  /** The users' htpasswd file (docs/access-control.md#users-and-login); undefined: no users. */
  readonly htpasswd: string | undefined
  /** Lifetime of the OAuth access tokens `isctl login` and `oc login` get, in whole seconds. */
  readonly tokenMaxAgeSeconds: number
  /** The `iss` of service-account tokens, and the audience the API accepts. */
  readonly serviceAccountIssuer: string
  /** The longest service-account token lifetime issued, in seconds; 0 for no cap. */
  readonly serviceAccountMaxTokenExpirationSeconds: number
  readonly prune: PruneScheduleOptions
  readonly logLevel: LogLevel
  /** Where audit Events go (docs/kubernetes-api.md#audit-log); undefined writes none. */
  readonly auditLog: AuditLogOptions | undefined
}

/** AuditLogOptions say where the audit log goes and when it rotates. */
export interface AuditLogOptions {
  /** A file, or `-` for the server's standard output. */
  readonly path: string
  /** The size at which the file is rotated, in bytes. */
  readonly maxBytes: number
  /** How many rotated files are kept; 0 keeps them all. */
  readonly maxBackups: number
}

/** PruneScheduleOptions configure the scheduled pruner (docs/pruning.md#scheduled-pruning). */
export interface PruneScheduleOptions {
  /** Time between the end of one run and the start of the next; 0 turns the pruner off. */
  readonly intervalMs: number
  readonly keepTagRevisions: number
  readonly keepYoungerThanMs: number
  readonly keepPulledWithinMs: number
  /** kubectl output of the workloads in use, re-read before every run. */
  readonly workloads: string | undefined
  readonly ignoreInvalidRefs: boolean
}

/** LogLevel is a pino level the server accepts. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace']

/**
 * SERVE_DEFAULTS are the flag defaults, as the README's `isctl serve` section and OpenShift's
 * defaults give them.
 */
export const SERVE_DEFAULTS = {
  dataDir: './.imagestreams',
  listen: '127.0.0.1:8443',
  defaultImportMode: 'Legacy',
  maxImagesBulkImportedPerRepository: '50',
  scheduledImportInterval: '15m',
  scheduledImportRegistryConcurrency: '8',
  scheduledImportRegistryQps: '50',
  scheduledImportLease: '10m',
  watchCacheWindow: '10m',
  registryCacheSize: '10Gi',
  // kube-apiserver's --event-ttl default, spelled as Go prints it.
  eventTtl: '1h0m0s',
  // OpenShift's OAuth accessTokenMaxAgeSeconds default, 86400.
  tokenMaxAge: '24h0m0s',
  // OpenShift's default service account issuer (docs/access-control.md#service-accounts-and-tokens).
  serviceAccountIssuer: 'https://kubernetes.default.svc',
  serviceAccountMaxTokenExpiration: '8760h0m0s',
  pruneSchedule: '0',
  // `isctl adm prune images`' defaults, which are oc's (and ours for keep-pulled-within).
  pruneKeepTagRevisions: String(PRUNE_DEFAULTS.keepTagRevisions),
  pruneKeepYoungerThan: '1h0m0s',
  pruneKeepPulledWithin: '168h0m0s',
  logLevel: 'info',
  auditLogMaxsize: '100',
  auditLogMaxbackup: '10',
} as const

const DESCRIPTION = [
  'Run the image streams API server: a Kubernetes-style HTTPS API (image.openshift.io/v1 and core secrets, service accounts and namespaces) on an embedded SQLite store, or on a PostgreSQL database that several servers share (--store).',
  'On first start it creates, in --data-dir, a CA, a serving certificate for the listen address and localhost, an admin token, and admin.kubeconfig, which kubectl and isctl accept as is (--kubeconfig or KUBECONFIG). With a PostgreSQL store the CA, certificate, keys and admin token live in the database instead, made by the first server and shared by every other, so one admin.kubeconfig works against them all.',
  'Stop it with SIGTERM or Ctrl-C: in-flight requests finish, then the store is closed.',
].join('\n\n')

const EXAMPLES = `
Examples:
  # Serve on 127.0.0.1:8443 with data in ./.imagestreams, then use it with kubectl
  isctl serve
  kubectl --kubeconfig .imagestreams/admin.kubeconfig get imagestreams

  # Serve on every interface, with a pull secret used for every namespace
  isctl serve --listen 0.0.0.0:8443 --global-pull-secret ~/.docker/config.json

  # Two replicas sharing one PostgreSQL database, behind a load balancer at api.example.com
  isctl serve --store postgres://imagestreams@db.example.com:5432/imagestreams \\
    --listen 0.0.0.0:8443 --data-dir /var/lib/isctl-a --advertise-address api.example.com
  IMAGESTREAMS_STORE=postgres://imagestreams@db.example.com:5432/imagestreams \\
    isctl serve --listen 0.0.0.0:8443 --data-dir /var/lib/isctl-b --advertise-address api.example.com
`

/** configureServeCommand declares the flags and help of `serve` on `cmd`. */
export function configureServeCommand(cmd: Command): Command {
  return cmd
    .summary('Run the image streams API server')
    .description(DESCRIPTION)
    .option(
      '--data-dir <dir>',
      "This server's directory: its lock, admin.kubeconfig and registry cache, and, unless --store says otherwise, the database, PKI and keys",
      SERVE_DEFAULTS.dataDir,
    )
    .option(
      '--store <url>',
      `Where the data lives: sqlite:PATH for an SQLite file, or postgres://USER@HOST:PORT/DB for a PostgreSQL database several servers may share (password from PGPASSWORD or ~/.pgpass); also $${STORE_ENV}, which the flag overrides (default: ${STORE_FILE} in --data-dir)`,
    )
    .option(
      '--advertise-address <host>',
      'A name or IP address clients reach this server by besides the listen address, such as a load balancer in front of several servers; the serving certificate names it (repeatable)',
      (value: string, previous: readonly string[] | undefined) => [...(previous ?? []), value],
    )
    .option(
      '--listen <host:port>',
      'Address to serve HTTPS on (port 0 picks a free port)',
      SERVE_DEFAULTS.listen,
    )
    .option(
      '--registry-hostname <host[:port]>',
      'Registry hostname for status.dockerImageRepository (default: the listen address)',
    )
    .option(
      '--registry-public-hostname <host[:port]>',
      "Registry hostname clients outside reach it by, for status.publicDockerImageRepository (as OpenShift's registry public hostname; default: none, the field is left out)",
    )
    .option(
      '--platform <os/arch[/variant]>',
      "Platform picked from manifest lists in Legacy import mode (default: this host's)",
    )
    .option(
      '--default-import-mode <mode>',
      'Import mode of tags that set none: Legacy or PreserveOriginal',
      SERVE_DEFAULTS.defaultImportMode,
    )
    .option(
      '--global-pull-secret <path>',
      "Docker config file of credentials tried after each namespace's pull secrets",
    )
    .option(
      '--additional-trusted-ca <path>',
      'PEM bundle of CAs trusted for registry TLS besides the system roots',
    )
    .option(
      '--allowed-registries-for-import <path>',
      "YAML or JSON list of {domainName, insecure} entries, as OpenShift's allowedRegistriesForImport: imports, DockerImage spec tags and pull-through may name only these registries (default: every registry); changes to the file apply without a restart",
    )
    .option(
      '--max-images-bulk-imported-per-repository <n>',
      'Most tags one repository import brings in (-1: no limit)',
      SERVE_DEFAULTS.maxImagesBulkImportedPerRepository,
    )
    .option(
      '--scheduled-import-interval <duration>',
      'How often scheduled tags are checked (one HEAD each, an import only on change), e.g. 15m, 1h; a tag can set its own with the annotation imagestreams.io/scheduled-import-interval; 0 disables scheduled imports',
      SERVE_DEFAULTS.scheduledImportInterval,
    )
    .option(
      '--scheduled-import-registry-concurrency <n>',
      'Scheduled checks sent to one registry host at once',
      SERVE_DEFAULTS.scheduledImportRegistryConcurrency,
    )
    .option(
      '--scheduled-import-registry-qps <n>',
      'Requests per second scheduled checks may send one registry host (0: no limit); a 429 pauses that host for its Retry-After',
      SERVE_DEFAULTS.scheduledImportRegistryQps,
    )
    .option(
      '--scheduled-import-lease <duration>',
      'How long a server holds a scheduled check it claimed before another server sharing the store may take it over, e.g. 30s, 10m: a server that dies leaves its claimed checks undone until then (docs/storage-postgres.md#the-due-queue)',
      SERVE_DEFAULTS.scheduledImportLease,
    )
    .option(
      '--watch-cache-window <duration>',
      'How long the history of changes is kept, e.g. 10m, 1h: a watch or list continue token from an older resourceVersion is answered 410 Expired and the client lists again (docs/kubernetes-api.md#watch); the latest 10,000 changes are kept at most',
      SERVE_DEFAULTS.watchCacheWindow,
    )
    .option(
      '--registry-cache-size <size>',
      'Disk the integrated registry may use to keep blobs it pulled through, so later pulls skip the upstream, e.g. 500Mi, 20Gi (0: keep none)',
      SERVE_DEFAULTS.registryCacheSize,
    )
    .option(
      '--event-ttl <duration>',
      "How long an Event is kept after it was last seen, as kube-apiserver's --event-ttl, e.g. 30m, 2h; expired Events are swept every minute (every half TTL when shorter, at least 1s apart)",
      SERVE_DEFAULTS.eventTtl,
    )
    .option(
      '--htpasswd <file>',
      'Users who may log in (isctl login, oc login -u): an Apache htpasswd file with bcrypt entries (htpasswd -B), re-read when it changes',
    )
    .option(
      '--token-max-age <duration>',
      "How long the token of a login stays valid, as OpenShift's OAuth accessTokenMaxAgeSeconds, e.g. 8h, 30m",
      SERVE_DEFAULTS.tokenMaxAge,
    )
    .option(
      '--service-account-issuer <issuer>',
      "The iss of service-account tokens (kubectl create token) and the audience the API accepts, as kube-apiserver's --service-account-issuer; changing it ends the tokens issued so far",
      SERVE_DEFAULTS.serviceAccountIssuer,
    )
    .option(
      '--service-account-max-token-expiration <duration>',
      "The longest lifetime of a service-account token, as kube-apiserver's flag: a longer request is shortened to it, with a warning (0: no cap below 2^32 seconds)",
      SERVE_DEFAULTS.serviceAccountMaxTokenExpiration,
    )
    .option(
      '--prune-schedule <duration>',
      'How long the scheduled pruner waits after one run before the next, e.g. 24h; it prunes tag history and Images as `isctl adm prune images --confirm` does (0: no scheduled pruning)',
      SERVE_DEFAULTS.pruneSchedule,
    )
    .option(
      '--prune-keep-tag-revisions <n>',
      'Scheduled pruning keeps this many newest history items of every tag',
      SERVE_DEFAULTS.pruneKeepTagRevisions,
    )
    .option(
      '--prune-keep-younger-than <duration>',
      'Scheduled pruning keeps history items and Images younger than this',
      SERVE_DEFAULTS.pruneKeepYoungerThan,
    )
    .option(
      '--prune-keep-pulled-within <duration>',
      'Scheduled pruning keeps Images the integrated registry served this recently (0: pulls do not count)',
      SERVE_DEFAULTS.pruneKeepPulledWithin,
    )
    .option(
      '--prune-workloads <file>',
      'kubectl JSON or YAML output of the workloads in use (e.g. kubectl get pods,deploy,sts,ds,jobs,cronjobs -A -o json), re-read before every scheduled run; their images are kept',
    )
    .option(
      '--prune-ignore-invalid-refs',
      'Scheduled pruning goes on when a workload image reference cannot be parsed (default: the run stops and logs them)',
    )
    .option('--log-level <level>', `Log level: ${LOG_LEVELS.join(', ')}`, SERVE_DEFAULTS.logLevel)
    .option(
      '--audit-log <file>',
      "Write an audit.k8s.io/v1 Event for every API and registry request to this file, one JSON line each, at the Metadata level (never bodies or credentials), as kube-apiserver's --audit-log-path; '-' means standard output",
    )
    .option(
      '--audit-log-maxsize <megabytes>',
      'The size in megabytes the audit log file may reach before it is rotated',
      SERVE_DEFAULTS.auditLogMaxsize,
    )
    .option(
      '--audit-log-maxbackup <n>',
      'The number of rotated audit log files to keep (0: keep them all)',
      SERVE_DEFAULTS.auditLogMaxbackup,
    )
    .addHelpText('after', EXAMPLES)
}

/**
 * completeServeOptions validates the flags and fills in defaults; throws UsageError naming the
 * flag. `env` supplies IMAGESTREAMS_STORE when --store is absent.
 */
export function completeServeOptions(
  flags: ServeFlags,
  env: Readonly<Record<string, string | undefined>> = {},
): ServeOptions {
  const dataDir = flags.dataDir ?? SERVE_DEFAULTS.dataDir
  if (dataDir === '') throw new UsageError('--data-dir must not be empty')
  const registryHostname = flags.registryHostname || undefined
  if (registryHostname !== undefined) parseRegistryHostname('--registry-hostname', registryHostname)
  const registryPublicHostname = flags.registryPublicHostname || undefined
  if (registryPublicHostname !== undefined) {
    parseRegistryHostname('--registry-public-hostname', registryPublicHostname)
  }
  return {
    dataDir,
    store: parseStoreFlag(flags.store, env[STORE_ENV], dataDir),
    advertiseAddresses: (flags.advertiseAddress ?? []).map(parseAdvertiseAddress),
    listen: parseListen(flags.listen ?? SERVE_DEFAULTS.listen),
    registryHostname,
    registryPublicHostname,
    platform: parsePlatformFlag(flags.platform),
    defaultImportMode: parseImportMode(flags.defaultImportMode ?? SERVE_DEFAULTS.defaultImportMode),
    globalPullSecret: flags.globalPullSecret || undefined,
    additionalTrustedCa: flags.additionalTrustedCa || undefined,
    allowedRegistriesForImport: flags.allowedRegistriesForImport || undefined,
    maxImagesBulkImportedPerRepository: parseBulkLimit(
      flags.maxImagesBulkImportedPerRepository ?? SERVE_DEFAULTS.maxImagesBulkImportedPerRepository,
    ),
    scheduledImportIntervalMs: parseInterval(
      '--scheduled-import-interval',
      flags.scheduledImportInterval ?? SERVE_DEFAULTS.scheduledImportInterval,
      '90s, 15m or 1h30m',
    ),
    scheduledImportRegistryConcurrency: parseCount(
      '--scheduled-import-registry-concurrency',
      flags.scheduledImportRegistryConcurrency ?? SERVE_DEFAULTS.scheduledImportRegistryConcurrency,
      1,
    ),
    scheduledImportRegistryQps: parseCount(
      '--scheduled-import-registry-qps',
      flags.scheduledImportRegistryQps ?? SERVE_DEFAULTS.scheduledImportRegistryQps,
      0,
    ),
    scheduledImportLeaseMs: parsePositiveDuration(
      '--scheduled-import-lease',
      flags.scheduledImportLease ?? SERVE_DEFAULTS.scheduledImportLease,
    ),
    watchCacheWindowMs: parsePositiveDuration(
      '--watch-cache-window',
      flags.watchCacheWindow ?? SERVE_DEFAULTS.watchCacheWindow,
    ),
    registryCacheBytes: parseByteSize(
      '--registry-cache-size',
      flags.registryCacheSize ?? SERVE_DEFAULTS.registryCacheSize,
    ),
    eventTtlMs: parseEventTtl(flags.eventTtl ?? SERVE_DEFAULTS.eventTtl),
    htpasswd: flags.htpasswd || undefined,
    tokenMaxAgeSeconds: parseTokenMaxAge(flags.tokenMaxAge ?? SERVE_DEFAULTS.tokenMaxAge),
    serviceAccountIssuer: parseIssuer(
      flags.serviceAccountIssuer ?? SERVE_DEFAULTS.serviceAccountIssuer,
    ),
    serviceAccountMaxTokenExpirationSeconds: parseMaxTokenExpiration(
      flags.serviceAccountMaxTokenExpiration ?? SERVE_DEFAULTS.serviceAccountMaxTokenExpiration,
    ),
    prune: parsePruneSchedule(flags),
    logLevel: parseLogLevel(flags.logLevel ?? SERVE_DEFAULTS.logLevel),
    auditLog: parseAuditLog(flags),
  }
}

/** parseAuditLog reads the --audit-log* flags; the sizes are checked even without a file. */
function parseAuditLog(flags: ServeFlags): AuditLogOptions | undefined {
  const size = flags.auditLogMaxsize ?? SERVE_DEFAULTS.auditLogMaxsize
  const megabytes = /^(\d+(\.\d*)?|\.\d+)$/.test(size) ? Number(size) : NaN
  // lumberjack's megabyte, which kube-apiserver's flag counts in.
  const maxBytes = Math.floor(megabytes * 2 ** 20)
  if (!(maxBytes > 0)) {
    throw new UsageError(
      `--audit-log-maxsize must be a positive number of megabytes, such as 100 or 0.5, got ${JSON.stringify(size)}`,
    )
  }
  const maxBackups = parseCount(
    '--audit-log-maxbackup',
    flags.auditLogMaxbackup ?? SERVE_DEFAULTS.auditLogMaxbackup,
    0,
  )
  const path = flags.auditLog || undefined
  return path === undefined ? undefined : { path, maxBytes, maxBackups }
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
}

/** parseByteSize reads a size as Kubernetes quantities write it: 512Mi, 10Gi, 2G, 1000000. */
export function parseByteSize(flag: string, value: string): number {
  const m = /^(\d+)(|k|M|G|T|Ki|Mi|Gi|Ti)$/.exec(value)
  const bytes = m ? Number(m[1]) * BYTE_UNITS[m[2]!]! : NaN
  if (Number.isSafeInteger(bytes)) return bytes
  throw new UsageError(
    `${flag} must be a number of bytes with an optional unit (Ki, Mi, Gi, Ti, k, M, G, T), e.g. 10Gi; got ${JSON.stringify(value)}`,
  )
}

/** parseCount reads a whole number flag of at least `min`. */
function parseCount(flag: string, value: string, min: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN
  if (Number.isSafeInteger(n) && n >= min) return n
  throw new UsageError(
    `${flag} must be a whole number of at least ${min}, got ${JSON.stringify(value)}`,
  )
}

const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i

/** splitHostPort splits `host:port`, `[v6]:port` or `:port`; undefined when it is none of them. */
function splitHostPort(value: string): { host: string; port: string } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value)
  if (!m) return undefined
  return { host: m[1] ?? m[2] ?? '', port: m[3]! }
}

/** parseListen reads `--listen`: `host:port`, `[v6]:port`, or `:port` for every interface. */
export function parseListen(value: string): HostPort {
  const parts = splitHostPort(value)
  const usage = `--listen must be HOST:PORT (e.g. 127.0.0.1:8443, [::1]:8443, :8443), got ${JSON.stringify(value)}`
  if (!parts) throw new UsageError(usage)
  const port = Number(parts.port)
  if (port > 65535) throw new UsageError(`--listen port ${port} is out of range (0-65535)`)
  const host = parts.host === '' ? '0.0.0.0' : parts.host
  if (!isIP(host) && !HOSTNAME.test(host)) throw new UsageError(usage)
  return { host, port }
}

/**
 * parseStoreFlag reads --store (else the environment variable): `sqlite:PATH`, or a
 * `postgres://` / `postgresql://` URL naming a host and a database, as libpq's connection URIs
 * write them (PostgreSQL docs, "Connection URIs"). Absent or empty: the data dir's SQLite file.
 * Messages name the flag as `flagName` (`isctl serve migrate` reads --from and --to with it).
 */
export function parseStoreFlag(
  flag: string | undefined,
  envValue: string | undefined,
  dataDir: string,
  flagName = '--store',
): StoreLocation {
  const fromFlag = flag !== undefined && flag !== ''
  const value = fromFlag ? flag : (envValue ?? '')
  const source = fromFlag ? flagName : STORE_ENV
  if (value === '') return { kind: 'sqlite', path: join(dataDir, STORE_FILE) }
  const usage = `must be sqlite:PATH or postgres://USER@HOST:PORT/DATABASE`
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase()
  if (scheme === 'sqlite') {
    const path = value.slice('sqlite:'.length)
    if (path === '')
      throw new UsageError(
        `${source}: sqlite: needs a file path, as in sqlite:/var/lib/imagestreams/imagestreams.db`,
      )
    return { kind: 'sqlite', path }
  }
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new UsageError(
      scheme === undefined
        ? `${source} ${usage}, got ${JSON.stringify(redactStoreURL(value))}`
        : `${source}: unsupported store scheme ${JSON.stringify(`${scheme}:`)}; it ${usage}`,
    )
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new UsageError(
      `${source}: ${JSON.stringify(redactStoreURL(value))} is not a valid URL; it ${usage}`,
    )
  }
  const shown = JSON.stringify(redactStoreURL(value))
  if (url.hostname === '') {
    throw new UsageError(`${source}: ${shown} names no host; it ${usage}`)
  }
  let database: string
  try {
    database = decodeURIComponent(url.pathname.replace(/^\//, ''))
  } catch {
    throw new UsageError(`${source}: ${shown} has a malformed %-escape in its database name`)
  }
  if (database === '' || database.includes('/')) {
    throw new UsageError(
      `${source}: ${shown} names no database (the path must be /DATABASE); it ${usage}`,
    )
  }
  if (url.hash !== '')
    throw new UsageError(`${source}: ${shown} has a #fragment, which a database URL cannot have`)
  return { kind: 'postgres', url: value }
}

/** redactStoreURL hides a password in a store URL, for messages and the log. */
export function redactStoreURL(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, '$1:***@')
}

/** parseAdvertiseAddress reads one --advertise-address: a host name or an IP address, no port. */
function parseAdvertiseAddress(value: string): string {
  const host = value.replace(/^\[(.*)\]$/, '$1')
  if (isIP(host) || HOSTNAME.test(host)) return host
  throw new UsageError(
    `--advertise-address must be a host name or an IP address without a port or scheme (e.g. api.example.com, 10.0.0.5), got ${JSON.stringify(value)}`,
  )
}

function parseRegistryHostname(flag: string, value: string): void {
  const parts = splitHostPort(value)
  const host = parts ? parts.host : value
  const ok =
    (parts === undefined || Number(parts.port) <= 65535) && (isIP(host) || HOSTNAME.test(host))
  if (!ok || host === '') {
    throw new UsageError(
      `${flag} must be HOST or HOST:PORT without a scheme or path (e.g. registry.example.com:5000), got ${JSON.stringify(value)}`,
    )
  }
}

function parsePlatformFlag(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined
  if (!/^[a-z0-9_.-]+\/[a-z0-9_.-]+(\/[a-z0-9_.-]+)?$/i.test(value)) {
    throw new UsageError(
      `--platform must be OS/ARCH[/VARIANT] (e.g. linux/amd64, linux/arm64/v8), got ${JSON.stringify(value)}`,
    )
  }
  return value
}

function parseImportMode(value: string): ImportMode {
  if (value === 'Legacy' || value === 'PreserveOriginal') return value
  throw new UsageError(
    `--default-import-mode must be Legacy or PreserveOriginal, got ${JSON.stringify(value)}`,
  )
}

function parseBulkLimit(value: string): number {
  const n = /^-?\d+$/.test(value) ? Number(value) : NaN
  if (n === -1 || (Number.isSafeInteger(n) && n >= 1)) return n
  throw new UsageError(
    `--max-images-bulk-imported-per-repository must be a positive integer or -1 (no limit), got ${JSON.stringify(value)}`,
  )
}

/** parseInterval reads a flag that is 0 (off) or a duration of at least 1s; Go writes 0 without a unit. */
function parseInterval(flag: string, value: string, examples: string): number {
  const ms = /^0+$/.test(value) ? 0 : parseDuration(value)
  if (ms === 0) return 0
  if (ms === undefined || ms < 1000) {
    throw new UsageError(
      `${flag} must be 0 or a duration of at least 1s, such as ${examples}, got ${JSON.stringify(value)}`,
    )
  }
  return ms
}

/** parseEventTtl reads --event-ttl: a positive Go duration; a zero TTL would keep no Event to read. */
function parseEventTtl(value: string): number {
  const ms = parseDuration(value)
  if (ms !== undefined && ms > 0) return ms
  throw new UsageError(
    `--event-ttl must be a positive duration, such as 30m, 1h or 1h30m, got ${JSON.stringify(value)}`,
  )
}

/**
 * parsePositiveDuration reads a flag that takes a positive duration (--scheduled-import-lease,
 * --watch-cache-window), rounded up to whole milliseconds, the unit the store keeps times in.
 */
function parsePositiveDuration(flag: string, value: string): number {
  const ms = parseDuration(value)
  if (ms !== undefined && ms > 0) return Math.ceil(ms)
  throw new UsageError(
    `${flag} must be a positive duration, such as 30s, 10m or 1h, got ${JSON.stringify(value)}`,
  )
}

/** parseTokenMaxAge reads --token-max-age: whole seconds, at least one, as tokens state expires_in. */
function parseTokenMaxAge(value: string): number {
  const ms = parseDuration(value)
  if (ms !== undefined && ms >= 1000 && Number.isInteger(ms / 1000)) return ms / 1000
  throw new UsageError(
    `--token-max-age must be a duration of whole seconds, at least 1s, such as 8h or 30m, got ${JSON.stringify(value)}`,
  )
}

/**
 * parseIssuer reads --service-account-issuer: anything with a colon must be a URL, as
 * kube-apiserver requires (its options validation for the flag).
 */
function parseIssuer(value: string): string {
  if (value !== '' && (!value.includes(':') || URL.canParse(value))) return value
  throw new UsageError(
    `--service-account-issuer must be a URL (e.g. https://kubernetes.default.svc) or a name without a colon, got ${JSON.stringify(value)}`,
  )
}

/** The bounds kube-apiserver puts on --service-account-max-token-expiration: an hour to 2^32 seconds. */
const MAX_TOKEN_EXPIRATION_BOUNDS = { min: 3600, max: 2 ** 32 } as const

/** parseMaxTokenExpiration reads --service-account-max-token-expiration into seconds; 0 for no cap. */
function parseMaxTokenExpiration(value: string): number {
  const ms = /^0+$/.test(value) ? 0 : parseDuration(value)
  if (ms === 0) return 0
  const seconds = ms === undefined ? NaN : ms / 1000
  const { min, max } = MAX_TOKEN_EXPIRATION_BOUNDS
  if (Number.isInteger(seconds) && seconds >= min && seconds <= max) return seconds
  throw new UsageError(
    `--service-account-max-token-expiration must be 0 or a duration between 1 hour and 2^32 seconds, such as 24h or 8760h, got ${JSON.stringify(value)}`,
  )
}

/** parsePruneSchedule reads the --prune-* flags. */
function parsePruneSchedule(flags: ServeFlags): PruneScheduleOptions {
  return {
    intervalMs: parseInterval(
      '--prune-schedule',
      flags.pruneSchedule ?? SERVE_DEFAULTS.pruneSchedule,
      '1h or 24h',
    ),
    keepTagRevisions: parseCount(
      '--prune-keep-tag-revisions',
      flags.pruneKeepTagRevisions ?? SERVE_DEFAULTS.pruneKeepTagRevisions,
      0,
    ),
    keepYoungerThanMs: parseAge(
      '--prune-keep-younger-than',
      flags.pruneKeepYoungerThan ?? SERVE_DEFAULTS.pruneKeepYoungerThan,
    ),
    keepPulledWithinMs: parseAge(
      '--prune-keep-pulled-within',
      flags.pruneKeepPulledWithin ?? SERVE_DEFAULTS.pruneKeepPulledWithin,
    ),
    workloads: flags.pruneWorkloads || undefined,
    ignoreInvalidRefs: flags.pruneIgnoreInvalidRefs === true,
  }
}

/** parseAge reads a Go duration of zero or more; 0 may be written without a unit, as Go allows. */
function parseAge(flag: string, value: string): number {
  const ms = /^0+$/.test(value) ? 0 : parseDuration(value)
  if (ms !== undefined) return ms
  throw new UsageError(
    `${flag} must be a duration such as 30m, 24h or 168h, got ${JSON.stringify(value)}`,
  )
}

function parseLogLevel(value: string): LogLevel {
  const level = LOG_LEVELS.find((l) => l === value)
  if (level) return level
  throw new UsageError(
    `--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`,
  )
}

export { parseDuration }
