import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { UsageError } from '../cli/errors.js'
import {
  completeServeOptions,
  parseDuration,
  parseListen,
  type ServeFlags,
  type StoreLocation,
} from './serve-options.js'

describe('--store and IMAGESTREAMS_STORE', () => {
  const pg = 'postgres://isctl@db.example.com:5432/imagestreams'
  const ok: [string, ServeFlags, Record<string, string>, StoreLocation][] = [
    [
      'absent: the data dir file',
      { dataDir: '/d' },
      {},
      { kind: 'sqlite', path: '/d/imagestreams.db' },
    ],
    [
      'empty flag: as absent',
      { dataDir: '/d', store: '' },
      {},
      { kind: 'sqlite', path: '/d/imagestreams.db' },
    ],
    [
      'sqlite:PATH',
      { store: 'sqlite:/var/lib/x.db' },
      {},
      { kind: 'sqlite', path: '/var/lib/x.db' },
    ],
    ['sqlite: relative path', { store: 'sqlite:x.db' }, {}, { kind: 'sqlite', path: 'x.db' }],
    ['postgres://', { store: pg }, {}, { kind: 'postgres', url: pg }],
    [
      'postgresql:// with parameters and no port',
      { store: 'postgresql://u@h/db?sslmode=require' },
      {},
      { kind: 'postgres', url: 'postgresql://u@h/db?sslmode=require' },
    ],
    [
      'a password in the URL',
      { store: 'postgres://u:pw@h/db' },
      {},
      { kind: 'postgres', url: 'postgres://u:pw@h/db' },
    ],
    ['from the environment', {}, { IMAGESTREAMS_STORE: pg }, { kind: 'postgres', url: pg }],
    [
      'the flag wins over the environment',
      { store: 'sqlite:/f.db' },
      { IMAGESTREAMS_STORE: pg },
      { kind: 'sqlite', path: '/f.db' },
    ],
  ]
  for (const [name, flags, env, want] of ok) {
    it(name, () => assert.deepEqual(completeServeOptions(flags, env).store, want))
  }

  const bad: [string, ServeFlags, Record<string, string>, RegExp][] = [
    ['a bare path', { store: '/var/lib/x.db' }, {}, /^--store must be sqlite:PATH or postgres:/],
    [
      'another scheme',
      { store: 'mysql://u@h/db' },
      {},
      /^--store: unsupported store scheme "mysql:"/,
    ],
    ['sqlite: without a path', { store: 'sqlite:' }, {}, /^--store: sqlite: needs a file path/],
    ['no host', { store: 'postgres:///db' }, {}, /names no host/],
    ['no database', { store: 'postgres://u@h:5432' }, {}, /names no database/],
    ['a nested path', { store: 'postgres://u@h/a/b' }, {}, /names no database/],
    ['a bad port', { store: 'postgres://u@h:99999/db' }, {}, /is not a valid URL/],
    ['a fragment', { store: 'postgres://u@h/db#x' }, {}, /#fragment/],
    ['a bad %-escape', { store: 'postgres://u@h/%zz' }, {}, /malformed %-escape/],
    [
      'the environment is named',
      {},
      { IMAGESTREAMS_STORE: 'etcd://h' },
      /^IMAGESTREAMS_STORE: unsupported store scheme "etcd:"/,
    ],
    [
      'a password never shows',
      { store: 'postgres://u:hunter2@h:1' },
      {},
      /"postgres:\/\/u:\*\*\*@h:1" names no database/,
    ],
  ]
  for (const [name, flags, env, message] of bad) {
    it(`refuses ${name}`, () =>
      assert.throws(
        () => completeServeOptions(flags, env),
        (err: unknown) => err instanceof UsageError && message.test(err.message),
      ))
  }
})

describe('--advertise-address', () => {
  it('takes names and IP addresses, brackets dropped', () => {
    assert.deepEqual(
      completeServeOptions({ advertiseAddress: ['api.example.com', '10.0.0.5', '[fd00::1]'] })
        .advertiseAddresses,
      ['api.example.com', '10.0.0.5', 'fd00::1'],
    )
  })
  for (const value of ['https://api.example.com', 'api.example.com:8443', '', 'a b']) {
    it(`refuses ${JSON.stringify(value)}`, () =>
      assert.throws(
        () => completeServeOptions({ advertiseAddress: [value] }),
        /^UsageError: --advertise-address must be/,
      ))
  }
})

describe('completeServeOptions', () => {
  it('fills in the documented defaults', () => {
    assert.deepEqual(completeServeOptions({}), {
      dataDir: './.imagestreams',
      store: { kind: 'sqlite', path: '.imagestreams/imagestreams.db' },
      advertiseAddresses: [],
      listen: { host: '127.0.0.1', port: 8443 },
      registryHostname: undefined,
      registryPublicHostname: undefined,
      platform: undefined,
      defaultImportMode: 'Legacy',
      globalPullSecret: undefined,
      additionalTrustedCa: undefined,
      allowedRegistriesForImport: undefined,
      maxImagesBulkImportedPerRepository: 50,
      scheduledImportIntervalMs: 15 * 60_000,
      scheduledImportRegistryConcurrency: 8,
      scheduledImportRegistryQps: 50,
      scheduledImportLeaseMs: 10 * 60_000,
      watchCacheWindowMs: 10 * 60_000,
      registryCacheBytes: 10 * 2 ** 30,
      eventTtlMs: 60 * 60_000,
      htpasswd: undefined,
      tokenMaxAgeSeconds: 86_400,
      serviceAccountIssuer: 'https://kubernetes.default.svc',
      serviceAccountMaxTokenExpirationSeconds: 365 * 24 * 3600,
      prune: {
        intervalMs: 0,
        keepTagRevisions: 3,
        keepYoungerThanMs: 60 * 60_000,
        keepPulledWithinMs: 7 * 24 * 60 * 60_000,
        workloads: undefined,
        ignoreInvalidRefs: false,
      },
      logLevel: 'info',
      auditLog: undefined,
    })
  })

  it('takes the audit log flags, sizes in megabytes as kube-apiserver counts them', () => {
    assert.deepEqual(completeServeOptions({ auditLog: '/var/log/audit.log' }).auditLog, {
      path: '/var/log/audit.log',
      maxBytes: 100 * 2 ** 20,
      maxBackups: 10,
    })
    const o = completeServeOptions({
      auditLog: '-',
      auditLogMaxsize: '0.5',
      auditLogMaxbackup: '0',
    })
    assert.deepEqual(o.auditLog, { path: '-', maxBytes: 2 ** 19, maxBackups: 0 })
  })

  it('takes the scheduled pruner flags', () => {
    const o = completeServeOptions({
      pruneSchedule: '24h',
      pruneKeepTagRevisions: '0',
      pruneKeepYoungerThan: '0',
      pruneKeepPulledWithin: '36h',
      pruneWorkloads: '/etc/workloads.json',
      pruneIgnoreInvalidRefs: true,
    })
    assert.deepEqual(o.prune, {
      intervalMs: 24 * 60 * 60_000,
      keepTagRevisions: 0,
      keepYoungerThanMs: 0,
      keepPulledWithinMs: 36 * 60 * 60_000,
      workloads: '/etc/workloads.json',
      ignoreInvalidRefs: true,
    })
  })

  it('takes every flag', () => {
    const o = completeServeOptions({
      dataDir: '/var/lib/is',
      listen: '[::1]:0',
      registryHostname: 'registry.example.test:5000',
      registryPublicHostname: 'registry.example.com',
      platform: 'linux/arm64/v8',
      defaultImportMode: 'PreserveOriginal',
      globalPullSecret: '/etc/pull.json',
      additionalTrustedCa: '/etc/ca.pem',
      allowedRegistriesForImport: '/etc/allowed.yaml',
      maxImagesBulkImportedPerRepository: '-1',
      scheduledImportInterval: '1h30m',
      logLevel: 'debug',
    })
    assert.deepEqual(o.listen, { host: '::1', port: 0 })
    assert.equal(o.registryHostname, 'registry.example.test:5000')
    assert.equal(o.registryPublicHostname, 'registry.example.com')
    assert.equal(o.platform, 'linux/arm64/v8')
    assert.equal(o.defaultImportMode, 'PreserveOriginal')
    assert.equal(o.allowedRegistriesForImport, '/etc/allowed.yaml')
    assert.equal(o.maxImagesBulkImportedPerRepository, -1)
    assert.equal(o.scheduledImportIntervalMs, 90 * 60_000)
    assert.equal(o.logLevel, 'debug')
  })

  for (const [value, ms] of [
    ['0', 0],
    ['0s', 0],
    ['90s', 90_000],
  ] as const) {
    it(`reads --scheduled-import-interval=${value} as ${ms} ms (0 disables scheduling)`, () => {
      assert.equal(
        completeServeOptions({ scheduledImportInterval: value }).scheduledImportIntervalMs,
        ms,
      )
    })
  }

  for (const [value, ms] of [
    ['15s', 15_000],
    ['1h30m', 90 * 60_000],
    ['1.5ms', 2],
  ] as const) {
    it(`reads --scheduled-import-lease=${value} as ${ms} ms (rounded up to whole ms)`, () => {
      assert.equal(completeServeOptions({ scheduledImportLease: value }).scheduledImportLeaseMs, ms)
    })
  }

  it('reads --watch-cache-window as the history the store keeps', () => {
    assert.equal(completeServeOptions({ watchCacheWindow: '1h' }).watchCacheWindowMs, 3_600_000)
  })

  for (const [value, bytes] of [
    ['0', 0],
    ['1000000', 1_000_000],
    ['2G', 2e9],
    ['500Mi', 500 * 2 ** 20],
    ['1Ti', 2 ** 40],
  ] as const) {
    it(`reads --registry-cache-size=${value} as ${bytes} bytes (0 keeps none)`, () => {
      assert.equal(completeServeOptions({ registryCacheSize: value }).registryCacheBytes, bytes)
    })
  }

  for (const [value, ms] of [
    ['1h0m0s', 60 * 60_000],
    ['2s', 2000],
    ['90m', 90 * 60_000],
    ['1.5h', 90 * 60_000],
  ] as const) {
    it(`reads --event-ttl=${value} as ${ms} ms`, () => {
      assert.equal(completeServeOptions({ eventTtl: value }).eventTtlMs, ms)
    })
  }

  for (const [value, seconds] of [
    ['24h0m0s', 86_400],
    ['2s', 2],
    ['1.5h', 5400],
  ] as const) {
    it(`reads --token-max-age=${value} as ${seconds} s`, () => {
      assert.equal(completeServeOptions({ tokenMaxAge: value }).tokenMaxAgeSeconds, seconds)
    })
  }

  it('takes --htpasswd as given', () => {
    assert.equal(completeServeOptions({ htpasswd: 'users.htpasswd' }).htpasswd, 'users.htpasswd')
  })

  for (const [value, seconds] of [
    ['0', 0],
    ['1h', 3600],
    ['720h', 720 * 3600],
  ] as const) {
    it(`reads --service-account-max-token-expiration=${value} as ${seconds} s (0: no cap)`, () => {
      assert.equal(
        completeServeOptions({ serviceAccountMaxTokenExpiration: value })
          .serviceAccountMaxTokenExpirationSeconds,
        seconds,
      )
    })
  }

  for (const issuer of ['https://isctl.example.com', 'isctl']) {
    it(`takes --service-account-issuer=${issuer}`, () => {
      assert.equal(
        completeServeOptions({ serviceAccountIssuer: issuer }).serviceAccountIssuer,
        issuer,
      )
    })
  }

  const bad: [string, ServeFlags, RegExp][] = [
    [
      'a token lifetime cap under an hour',
      { serviceAccountMaxTokenExpiration: '30m' },
      /^--service-account-max-token-expiration must be 0 or a duration between 1 hour and 2\^32 seconds, such as 24h or 8760h, got "30m"$/,
    ],
    [
      'a token lifetime cap without a unit',
      { serviceAccountMaxTokenExpiration: '3600' },
      /^--service-account-max-token-expiration must be 0 or a duration/,
    ],
    [
      'an issuer with a colon that is not a URL',
      { serviceAccountIssuer: 'https://[bad' },
      /^--service-account-issuer must be a URL \(e\.g\. https:\/\/kubernetes\.default\.svc\) or a name without a colon, got "https:\/\/\[bad"$/,
    ],
    ['an empty issuer', { serviceAccountIssuer: '' }, /^--service-account-issuer must be a URL/],
    ['listen without a port', { listen: '127.0.0.1' }, /^--listen must be HOST:PORT/],
    ['listen with a port out of range', { listen: '127.0.0.1:70000' }, /out of range/],
    ['listen with a scheme', { listen: 'https://127.0.0.1:8443' }, /^--listen must be HOST:PORT/],
    ['listen with a bad host', { listen: 'a_b:1' }, /^--listen must be HOST:PORT/],
    ['an empty data dir', { dataDir: '' }, /^--data-dir must not be empty/],
    [
      'a registry hostname with a scheme',
      { registryHostname: 'https://r.example' },
      /^--registry-hostname must be HOST/,
    ],
    [
      'a registry hostname with a path',
      { registryHostname: 'r.example/ns' },
      /^--registry-hostname/,
    ],
    [
      'a registry public hostname with a scheme',
      { registryPublicHostname: 'https://r.example' },
      /^--registry-public-hostname must be HOST or HOST:PORT/,
    ],
    ['a platform without an arch', { platform: 'linux' }, /^--platform must be OS\/ARCH/],
    [
      'an unknown import mode',
      { defaultImportMode: 'legacy' },
      /^--default-import-mode must be Legacy or PreserveOriginal/,
    ],
    ['a zero bulk limit', { maxImagesBulkImportedPerRepository: '0' }, /positive integer or -1/],
    [
      'a non-numeric bulk limit',
      { maxImagesBulkImportedPerRepository: '5x' },
      /positive integer or -1/,
    ],
    [
      'an interval without a unit',
      { scheduledImportInterval: '15' },
      /^--scheduled-import-interval must be 0 or a duration/,
    ],
    ['an interval under a second', { scheduledImportInterval: '500ms' }, /at least 1s/],
    [
      'no scheduled checks at all per registry',
      { scheduledImportRegistryConcurrency: '0' },
      /^--scheduled-import-registry-concurrency must be a whole number of at least 1/,
    ],
    [
      'a fractional request budget',
      { scheduledImportRegistryQps: '2.5' },
      /^--scheduled-import-registry-qps must be a whole number of at least 0/,
    ],
    [
      'a lease without a unit',
      { scheduledImportLease: '600' },
      /^--scheduled-import-lease must be a positive duration, such as 30s, 10m or 1h, got "600"$/,
    ],
    ['a zero lease', { scheduledImportLease: '0s' }, /^--scheduled-import-lease must be.*"0s"$/],
    ['a bare zero lease', { scheduledImportLease: '0' }, /^--scheduled-import-lease must be/],
    ['a negative lease', { scheduledImportLease: '-1m' }, /^--scheduled-import-lease must be/],
    ['an empty lease', { scheduledImportLease: '' }, /^--scheduled-import-lease must be/],
    [
      'a zero watch cache window',
      { watchCacheWindow: '0s' },
      /^--watch-cache-window must be a positive duration, such as 30s, 10m or 1h, got "0s"$/,
    ],
    [
      'a watch cache window without a unit',
      { watchCacheWindow: '600' },
      /^--watch-cache-window must be/,
    ],
    [
      'a cache size in an unknown unit',
      { registryCacheSize: '10GB' },
      /^--registry-cache-size must be a number of bytes with an optional unit/,
    ],
    ['a negative cache size', { registryCacheSize: '-1' }, /^--registry-cache-size/],
    [
      'an event TTL without a unit',
      { eventTtl: '3600' },
      /^--event-ttl must be a positive duration, such as 30m, 1h or 1h30m, got "3600"$/,
    ],
    [
      'a zero token max age',
      { tokenMaxAge: '0s' },
      /^--token-max-age must be a duration of whole seconds, at least 1s, such as 8h or 30m, got "0s"$/,
    ],
    [
      'a token max age in milliseconds',
      { tokenMaxAge: '1500ms' },
      /^--token-max-age must be a duration of whole seconds/,
    ],
    ['a zero event TTL', { eventTtl: '0s' }, /^--event-ttl must be a positive duration.*"0s"$/],
    ['a bare zero event TTL', { eventTtl: '0' }, /^--event-ttl must be a positive duration/],
    ['a negative event TTL', { eventTtl: '-1h' }, /^--event-ttl must be a positive duration/],
    ['an event TTL in days', { eventTtl: '1d' }, /^--event-ttl must be a positive duration/],
    ['an empty event TTL', { eventTtl: '' }, /^--event-ttl must be a positive duration/],
    [
      'a prune schedule without a unit',
      { pruneSchedule: '3600' },
      /^--prune-schedule must be 0 or a duration of at least 1s, such as 1h or 24h, got "3600"$/,
    ],
    ['a prune schedule under a second', { pruneSchedule: '10ms' }, /^--prune-schedule/],
    [
      'a negative number of tag revisions to keep',
      { pruneKeepTagRevisions: '-1' },
      /^--prune-keep-tag-revisions must be a whole number of at least 0, got "-1"$/,
    ],
    [
      'an age in days',
      { pruneKeepYoungerThan: '7d' },
      /^--prune-keep-younger-than must be a duration such as 30m, 24h or 168h, got "7d"$/,
    ],
    ['a negative pull window', { pruneKeepPulledWithin: '-1h' }, /^--prune-keep-pulled-within/],
    ['an unknown log level', { logLevel: 'verbose' }, /^--log-level must be one of/],
    [
      'an audit log size of zero',
      { auditLog: 'a.log', auditLogMaxsize: '0' },
      /^--audit-log-maxsize must be a positive number of megabytes, such as 100 or 0.5, got "0"$/,
    ],
    ['an audit log size with a unit', { auditLogMaxsize: '100Mi' }, /^--audit-log-maxsize/],
    [
      'a negative number of audit log backups',
      { auditLogMaxbackup: '-1' },
      /^--audit-log-maxbackup must be a whole number of at least 0, got "-1"$/,
    ],
  ]
  for (const [name, flags, message] of bad) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => completeServeOptions(flags),
        (err: unknown) => {
          assert.ok(err instanceof UsageError)
          assert.match(err.message, message)
          return true
        },
      )
    })
  }
})

describe('parseListen', () => {
  const cases: [string, string, number][] = [
    ['127.0.0.1:8443', '127.0.0.1', 8443],
    [':8443', '0.0.0.0', 8443],
    ['0.0.0.0:0', '0.0.0.0', 0],
    ['[::]:8443', '::', 8443],
    ['localhost:1', 'localhost', 1],
  ]
  for (const [input, host, port] of cases) {
    it(`${input} -> ${host} ${port}`, () => assert.deepEqual(parseListen(input), { host, port }))
  }
})

describe('parseDuration', () => {
  const cases: [string, number | undefined][] = [
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['90s', 90_000],
    ['250ms', 250],
    ['15', undefined],
    ['m', undefined],
    ['-1m', undefined],
    ['1d', undefined],
  ]
  for (const [input, ms] of cases) {
    it(`${input} -> ${ms}`, () => assert.equal(parseDuration(input), ms))
  }
})
