/**
 * The allow-list's rule, as openshift-apiserver's
 * `pkg/image/apis/image/validation/whitelist/{whitelister,wildcard}_test.go` tables give it
 * (hostnames and pull specs with the exact refusal texts), plus the rows that are ours: the
 * registry as parseImageReference normalises it (case, Docker Hub aliases), IPv6 literals, and
 * the import check's ports.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  createRegistryAllowList,
  InvalidAllowedRegistryError,
  isWildcardMatch,
  repositoryKey,
  type AllowedRegistry,
  type RegistryTransport,
} from './allowed-registries.js'
import { parseImageReference } from './parse.js'

const allowed = (insecure: boolean, ...names: string[]): AllowedRegistry[] =>
  names.map((domainName) => ({ domainName, insecure }))

/** Refusal text for `registry` against the whitelist rendering `list`. */
const refused = (registry: string, list: string) =>
  `registry "${registry}" not allowed by whitelist: ${list}`

interface Table {
  readonly name: string
  readonly transport: RegistryTransport
  readonly list: readonly AllowedRegistry[]
  /** Registries (`host[:port]`) and the refusal each gets, or null when allowed. */
  readonly hosts?: Record<string, string | null>
  /** Pull specs, parsed first, and their refusal. */
  readonly pullSpecs?: Record<string, string | null>
}

const SECURE_LIST = '"localhost:5000", "docker.io:443", "example.com:*", "registry.com:80"'
const INSECURE_SIX =
  '"localhost:5000", "docker.io:80", "example.com:*", "registry.com:80", and 2 more ...'
const ANY_SIX =
  '"localhost:5000", "docker.io:443", "example.com:*", "registry.com:80", and 2 more ...'

const TABLES: readonly Table[] = [
  {
    name: 'empty whitelist',
    transport: 'secure',
    list: [],
    hosts: {
      'example.com': 'registry "example.com" not allowed by empty whitelist',
      'localhost:5000': 'registry "localhost:5000" not allowed by empty whitelist',
    },
  },
  {
    name: 'allow any host with secure transport',
    transport: 'secure',
    list: allowed(false, '*'),
    hosts: {
      'docker.io': null,
      'example.com': null,
      'localhost:443': null,
      'localhost:5000': refused('localhost:5000', '"*:443"'),
      'localhost:80': refused('localhost:80', '"*:443"'),
      localhost: null,
    },
  },
  {
    name: 'allow any host with insecure transport',
    transport: 'insecure',
    list: allowed(true, '*'),
    hosts: {
      'docker.io': null,
      'example.com': null,
      'localhost:443': refused('localhost:443', '"*:80"'),
      'localhost:5000': refused('localhost:5000', '"*:80"'),
      'localhost:80': null,
      localhost: null,
    },
  },
  {
    name: 'allow any host with any transport',
    transport: 'any',
    list: allowed(true, '*'),
    hosts: {
      'docker.io': null,
      'example.com': null,
      'localhost:443': refused('localhost:443', '"*:80"'),
      'localhost:5000': refused('localhost:5000', '"*:80"'),
      'localhost:80': null,
      localhost: null,
    },
  },
  {
    name: 'allow any host:port with secure transport',
    transport: 'secure',
    list: allowed(false, '*:*'),
    hosts: {
      'docker.io': null,
      'example.com': null,
      'localhost:443': null,
      'localhost:5000': null,
      'localhost:80': null,
    },
  },
  {
    name: 'allow whitelisted with secure transport',
    transport: 'secure',
    list: allowed(false, 'localhost:5000', 'docker.io', 'example.com:*', 'registry.com:80'),
    hosts: {
      'example.com:5000': null,
      'example.com:80': null,
      'example.com': null,
      'localhost:443': refused('localhost:443', SECURE_LIST),
      'localhost:5000': null,
      'registry-1.docker.io:443': null,
      'index.docker.io': null,
      'registry.com:443': refused('registry.com:443', SECURE_LIST),
      'registry.com:80': null,
      'registry.com': refused('registry.com', SECURE_LIST),
      'registry.example.com': refused('registry.example.com', SECURE_LIST),
    },
  },
  {
    name: 'allow whitelisted with insecure transport',
    transport: 'insecure',
    list: allowed(
      true,
      'localhost:5000',
      'docker.io',
      'example.com:*',
      'registry.com:80',
      '*.foo.com',
      '*domain.ltd',
    ),
    hosts: {
      'a.b.c.d.foo.com:80': null,
      'domain.ltd': null,
      'example.com': null,
      'foo.com': refused('foo.com', INSECURE_SIX),
      'ffoo.com': refused('ffoo.com', INSECURE_SIX),
      'index.docker.io': null,
      'localhost:5000': null,
      'my.domain.ltd:443': refused('my.domain.ltd:443', INSECURE_SIX),
      'my.domain.ltd:80': null,
      'my.domain.ltd': null,
      'mydomain.ltd': null,
      'registry.com': null,
      'registry.foo.com': null,
    },
  },
  {
    name: 'allow whitelisted with any transport',
    transport: 'any',
    list: allowed(
      false,
      'localhost:5000',
      'docker.io',
      'example.com:*',
      'registry.com:80',
      '*.foo.com',
      '*domain.ltd',
    ),
    hosts: {
      'a.b.c.d.foo.com:80': refused('a.b.c.d.foo.com:80', ANY_SIX),
      'domain.ltd': null,
      'example.com': null,
      'foo.com': refused('foo.com', ANY_SIX),
      'index.docker.io': null,
      'localhost:5000': null,
      'my.domain.ltd:443': null,
      'my.domain.ltd:80': refused('my.domain.ltd:80', ANY_SIX),
      'my.domain.ltd': null,
      'mydomain.ltd': null,
      'registry.com:443': refused('registry.com:443', ANY_SIX),
      'registry.com': null,
      'registry.foo.com': null,
    },
  },
  {
    name: 'allow whitelisted pullspecs with any transport',
    transport: 'any',
    list: allowed(
      true,
      'localhost:5000',
      'docker.io',
      'example.com:*',
      'registry.com:80',
      '*.foo.com',
      '*domain.ltd',
    ),
    pullSpecs: {
      'a.b.c.d.foo.com:80/repo': null,
      'domain.ltd/a/b': null,
      'example.com/c/d': null,
      'foo.com/foo': refused('foo.com', INSECURE_SIX),
      'index.docker.io/bar': null,
      'localhost:5000/repo': null,
      'my.domain.ltd:443/a/b': refused('my.domain.ltd:443', INSECURE_SIX),
      'my.domain.ltd:80/foo:latest': null,
      'my.domain.ltd/bar:1.3.4': null,
      'mydomain.ltd/my/repo/sitory': null,
      'registry.com:443/ab:tag': refused('registry.com:443', INSECURE_SIX),
      'registry.com/repo': null,
      'registry.foo.com/123': null,
      'repository:latest': null,
      'nm/repo:latest': null,
    },
  },
  {
    // Ours: the registry as parseImageReference normalises it, so case and Hub aliases never
    // decide, and IPv6 literals can be listed in brackets.
    name: 'normalised registries',
    transport: 'secure',
    list: [
      { domainName: 'Registry.Example.COM' },
      { domainName: 'registry-1.docker.io' },
      { domainName: '[fd00::1]:5000' },
      { domainName: '[fd00::2]', insecure: true },
    ],
    pullSpecs: {
      'REGISTRY.example.com/app': null,
      busybox: null,
      'docker.io/library/busybox': null,
      'index.docker.io/library/busybox': null,
      '[fd00::1]:5000/app': null,
      '[FD00::1]:5000/app': null,
      '[fd00::1]:5001/app': refused(
        '[fd00::1]:5001',
        '"registry.example.com:443", "registry-1.docker.io:443", "[fd00::1]:5000", "[fd00::2]:80"',
      ),
      '[fd00::2]/app': refused(
        '[fd00::2]',
        '"registry.example.com:443", "registry-1.docker.io:443", "[fd00::1]:5000", "[fd00::2]:80"',
      ),
    },
  },
]

void describe('allow-list (whitelister_test.go TestRegistryWhitelister)', () => {
  for (const table of TABLES) {
    void describe(table.name, () => {
      const list = createRegistryAllowList(table.list)
      for (const [registry, want] of Object.entries(table.hosts ?? {})) {
        void it(`registry ${registry}`, () => {
          const got = list.admit({ registry, repository: 'a/b' }, table.transport)
          assert.equal(got?.message ?? null, want)
        })
      }
      for (const [spec, want] of Object.entries(table.pullSpecs ?? {})) {
        void it(`pull spec ${spec}`, () => {
          const got = list.admit(parseImageReference(spec), table.transport)
          assert.equal(got?.message ?? null, want)
        })
      }
    })
  }
})

void describe('references without a registry (TestValidateISTUpdateWithWhitelister)', () => {
  const list = createRegistryAllowList(allowed(false, 'example.com:*'))
  const busybox = { ...parseImageReference('foo/bar:biz'), implicitRegistry: true }
  void it('names Docker Hub with the port it is reached on', () => {
    assert.equal(
      list.admit(busybox, 'secure')?.message,
      refused('docker.io:443', '"example.com:*"'),
    )
  })
  void it('names it without a port when either port may be used', () => {
    assert.equal(list.admit(busybox, 'any')?.message, refused('docker.io', '"example.com:*"'))
  })
  void it('imports from docker.io, and Docker Hub written out from its API host', () => {
    const forbidden = (h: string) =>
      `importing images from registry "${h}" is forbidden: ${refused(h, '"example.com:*"')}`
    assert.equal(list.admitImport(busybox, false)?.message, forbidden('docker.io:443'))
    assert.equal(
      list.admitImport(parseImageReference('docker.io/foo/bar'), false)?.message,
      forbidden('registry-1.docker.io:443'),
    )
  })
})

void describe('allow-list entries (TestNewRegistryWhitelister)', () => {
  void it('takes any characters', () => {
    assert.ok(createRegistryAllowList(allowed(true, '先生，先生！')))
  })
  for (const domainName of ['0:1:2:3', 'fd00::1', '[fd00::1]:5000:1']) {
    void it(`refuses ${domainName}: too many colons`, () => {
      assert.throws(
        () => createRegistryAllowList([{ domainName }]),
        (err: unknown) =>
          err instanceof InvalidAllowedRegistryError &&
          err.message ===
            `failed to parse allowed registry ${JSON.stringify(domainName)}: too many colons`,
      )
    })
  }
  void it('lists an entry once', () => {
    const list = createRegistryAllowList(allowed(false, 'foo.com', 'foo.com'))
    assert.equal(
      list.admit({ registry: 'sub.foo.com', repository: 'a' }, 'any')?.message,
      refused('sub.foo.com', '"foo.com:443"'),
    )
  })
})

void describe('repositories an object already held (TestWhitelistRepository)', () => {
  const list = createRegistryAllowList(allowed(false, 'registry.example.org:5000'))
  const check = parseImageReference(
    'example.com/image@sha256:01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b',
  )
  const cases: readonly (readonly [string, readonly string[], boolean])[] = [
    ['reject by default', [], false],
    ['allow new digests by a digest', ['example.com/image@sha256:' + 'e'.repeat(64)], true],
    ['allow new digests by a tag', ['example.com/image:tag'], true],
    ['reject another repository', ['example.com/foo:tag'], false],
  ]
  for (const [name, old, ok] of cases) {
    void it(name, () => {
      const repositories = new Set(old.map((s) => repositoryKey(parseImageReference(s))))
      const got = list.admit(check, 'secure', repositories)
      assert.equal(
        got?.message ?? null,
        ok ? null : refused('example.com', '"registry.example.org:5000"'),
      )
    })
  }
})

void describe('imports (ValidateRegistryAllowedForImport)', () => {
  const list = createRegistryAllowList([
    { domainName: 'secure.example.com' },
    { domainName: 'plain.example.com', insecure: true },
    { domainName: '127.0.0.1:5000' },
  ])
  const shown = '"secure.example.com:443", "plain.example.com:80", "127.0.0.1:5000"'
  const forbidden = (hostPort: string) =>
    `importing images from registry "${hostPort}" is forbidden: ${refused(hostPort, shown)}`
  const cases: readonly (readonly [string, boolean, string | null])[] = [
    ['secure.example.com/a', false, null],
    ['secure.example.com/a', true, forbidden('secure.example.com:80')],
    ['plain.example.com/a', true, null],
    ['plain.example.com/a', false, forbidden('plain.example.com:443')],
    // An explicit port is the port, whatever the entry's insecure flag says.
    ['127.0.0.1:5000/a', true, null],
    ['127.0.0.1:5000/a', false, null],
    ['127.0.0.1:5001/a', false, forbidden('127.0.0.1:5001')],
    ['busybox', false, forbidden('registry-1.docker.io:443')],
  ]
  for (const [spec, insecure, want] of cases) {
    void it(`${spec}${insecure ? ' (insecure)' : ''}`, () => {
      const got = list.admitImport(parseImageReference(spec), insecure)
      assert.equal(got?.message ?? null, want)
    })
  }
  void it('always allows the integrated registry, listed first', () => {
    const withRegistry = createRegistryAllowList(allowed(false, 'quay.io'), {
      integratedRegistry: () => '127.0.0.1:8443',
    })
    assert.equal(
      withRegistry.admitImport(parseImageReference('127.0.0.1:8443/ns/is'), false),
      undefined,
    )
    assert.equal(
      withRegistry.admitImport(parseImageReference('example.com/a'), false)?.message,
      'importing images from registry "example.com:443" is forbidden: ' +
        refused('example.com:443', '"127.0.0.1:8443", "quay.io:443"'),
    )
  })
})

void describe('isWildcardMatch (wildcard_test.go)', () => {
  const cases: Record<string, { match: string[]; noMatch: string[] }> = {
    docker: {
      match: ['docker'],
      noMatch: ['', ' ', 'foodocker', 'dock', 'dockerfoo', '  docker', '*docker*', '?ocker', 'foo'],
    },
    '*': { match: ['', 'foo', 'docker.io', ' '], noMatch: [] },
    '???': { match: ['foo', 'bar', '...', '   '], noMatch: ['longfoo', '', 'aa', ' aaa', 'aaa '] },
    '*.docker.io': {
      match: ['registry-1.docker.io', '.docker.io', '??.docker.io', '*.docker.io'],
      noMatch: ['', ' ', 'docker', 'fakedocker.io', 'docker.io', 'foo.docker.io.fake'],
    },
    'foo.??.registry.url': {
      match: ['foo.ab.registry.url'],
      noMatch: [
        '',
        'foo.abc.registry.url',
        'registry.url',
        'foo.registry.url',
        'foo.a.registry.url',
      ],
    },
    '*foo.??.registry.*': {
      match: ['foo.ab.registry.url', 'barfoo.xx.registry.local'],
      noMatch: ['', 'foo.x.registry.foo', 'xfoo.registry.local', 'xfoo.xx.registry'],
    },
    '*a': { match: ['*ba', 'a', 'aaa'], noMatch: ['ab', ''] },
  }
  for (const [pattern, { match, noMatch }] of Object.entries(cases)) {
    void it(pattern, () => {
      for (const s of match) assert.ok(isWildcardMatch(s, pattern), `${pattern} matches ${s}`)
      for (const s of noMatch)
        assert.ok(!isWildcardMatch(s, pattern), `${pattern} does not match ${s}`)
    })
  }
})
