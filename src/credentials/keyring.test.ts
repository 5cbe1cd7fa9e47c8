import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parseImageReference } from '../reference/index.js'
import type { Credential } from './credential.js'
import type { Keyring, PullSecret } from './keyring.js'
import {
  EMPTY_KEYRING,
  combineKeyrings,
  keyringFromDockerConfig,
  keyringFromSecrets,
} from './keyring.js'

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')

/** A kubernetes.io/dockerconfigjson secret whose entries carry `auth` = base64(user:pw-user). */
function secret(
  name: string,
  entries: readonly (readonly [key: string, user: string])[],
): PullSecret {
  const auths = Object.fromEntries(
    entries.map(([key, user]) => [key, { auth: b64(`${user}:pw-${user}`) }]),
  )
  return {
    name,
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) },
  }
}

function users(keyring: Keyring, image: string): string[] {
  return keyring.lookup(parseImageReference(image)).map((c) => c.username)
}

interface Row {
  readonly row: number
  /** One inner list per secret, in secret order: [auths key, credential name]. */
  readonly secrets: readonly (readonly (readonly [string, string])[])[]
  readonly image: string
  /** Credentials tried, in order, under our rules. */
  readonly want: readonly string[]
  /** The kubelet result, where ours differs (docs/credentials.md#beyond-openshift). */
  readonly kubelet?: string
}

// The matching table (docs/credentials.md#matching-table): kubelet's keyring_test.go cases and
// ours, each row with what we try and, where it differs, what kubelet would pick.
const rows: readonly Row[] = [
  { row: 1, secrets: [[['quay.io', 'A']]], image: 'quay.io/coreos/etcd', want: ['A'] },
  {
    row: 2,
    secrets: [
      [
        ['quay.io', 'A'],
        ['quay.io/coreos', 'B'],
      ],
    ],
    image: 'quay.io/coreos/etcd',
    want: ['B', 'A'],
  },
  {
    row: 3,
    secrets: [[['quay.io/coreos', 'B']]],
    image: 'quay.io/coreosx/etcd',
    want: [],
    kubelet: 'B (string-prefix match)',
  },
  { row: 4, secrets: [[['quay.io/coreos', 'A']]], image: 'quay.io/coreos', want: ['A'] },
  { row: 5, secrets: [[['https://quay.io/v1/', 'A']]], image: 'quay.io/foo/bar', want: ['A'] },
  {
    row: 6,
    secrets: [[['https://index.docker.io/v1/', 'A']]],
    image: 'docker.io/library/busybox',
    want: ['A'],
  },
  { row: 7, secrets: [[['docker.io', 'A']]], image: 'docker.io/library/busybox', want: ['A'] },
  {
    row: 8,
    secrets: [
      [
        ['docker.io', 'A'],
        ['https://index.docker.io/v1/', 'B'],
      ],
    ],
    image: 'docker.io/library/busybox',
    want: ['A', 'B'],
    kubelet: 'A only (index.docker.io is a fallback used only when nothing matched)',
  },
  {
    row: 9,
    secrets: [[['registry-1.docker.io', 'A']]],
    image: 'docker.io/library/busybox',
    want: ['A'],
    kubelet: 'none (registry-1.docker.io is not a Hub alias there)',
  },
  {
    row: 10,
    secrets: [
      [
        ['index.docker.io', 'A'],
        ['docker.io/myorg', 'B'],
      ],
    ],
    image: 'docker.io/myorg/app',
    want: ['B', 'A'],
    kubelet: 'B only (index.docker.io is a fallback)',
  },
  {
    row: 11,
    secrets: [[['docker.io/library', 'A']]],
    image: 'docker.io/library/busybox',
    want: ['A'],
  },
  { row: 12, secrets: [[['*.example.com', 'A']]], image: 'a.example.com/x/y', want: ['A'] },
  { row: 13, secrets: [[['*.example.com', 'A']]], image: 'a.b.example.com/x/y', want: [] },
  {
    row: 14,
    secrets: [
      [
        ['*.example.com', 'A'],
        ['registry.example.com', 'B'],
      ],
    ],
    image: 'registry.example.com/x',
    want: ['B', 'A'],
  },
  {
    row: 15,
    secrets: [[['registry.example.com', 'A']]],
    image: 'registry.example.com:5000/x',
    want: [],
  },
  {
    row: 16,
    secrets: [[['registry.example.com:443', 'A']]],
    image: 'registry.example.com/x',
    want: ['A'],
    kubelet: 'none (port 443 differs from no port)',
  },
  {
    row: 17,
    secrets: [[['http://registry.example.com:5000', 'A']]],
    image: 'registry.example.com:5000/x',
    want: ['A'],
  },
  { row: 18, secrets: [[['10.0.0.5', 'A']]], image: '10.0.0.5:5000/app', want: [] },
  { row: 19, secrets: [[['localhost:5000', 'A']]], image: 'localhost:5000/app', want: ['A'] },
  {
    row: 20,
    secrets: [
      [
        ['registry.example.com/team-a', 'A'],
        ['registry.example.com', 'B'],
      ],
    ],
    image: 'registry.example.com/team-b/app',
    want: ['B'],
  },
  {
    row: 21,
    secrets: [
      [
        ['registry.example.com/team-a', 'A'],
        ['registry.example.com/team-a/app', 'B'],
      ],
    ],
    image: 'registry.example.com/team-a/app',
    want: ['B', 'A'],
  },
  {
    row: 22,
    secrets: [[['https://registry.example.com/team-a/', 'A']]],
    image: 'registry.example.com/team-b/app',
    want: [],
  },
  {
    row: 23,
    secrets: [[['https://myregistry.local/v2/team', 'A']]],
    image: 'myregistry.local/other/app',
    want: [],
  },
  {
    row: 24,
    secrets: [[['myregistry.local/v2/', 'A']]],
    image: 'myregistry.local/app',
    want: ['A'],
  },
  {
    row: 25,
    secrets: [[['registry.example.com/', 'A']]],
    image: 'registry.example.com/x',
    want: ['A'],
  },
  {
    row: 26,
    secrets: [[['Quay.io', 'A']]],
    image: 'quay.io/x/y',
    want: ['A'],
    kubelet: 'none (case-sensitive hosts)',
  },
  {
    row: 27,
    secrets: [[['quay.io', 'A']], [['quay.io', 'B']]],
    image: 'quay.io/x/y',
    want: ['A', 'B'],
  },
]

void describe('keyring: the matching table', () => {
  for (const { row, secrets, image, want, kubelet } of rows) {
    const suffix = kubelet === undefined ? '' : ` (kubelet: ${kubelet})`
    void it(`row ${row}: ${image} -> [${want.join(', ')}]${suffix}`, () => {
      const { keyring, warnings } = keyringFromSecrets(
        secrets.map((entries, i) => secret(`ns/secret-${i}`, entries)),
      )
      assert.deepEqual(warnings, [])
      assert.deepEqual(users(keyring, image), want)
    })
  }
})

void describe('keyring: parsing and provenance', () => {
  void it('returns the full credential with its source', () => {
    const { keyring } = keyringFromSecrets([
      secret('ns/pull', [['https://127.0.0.1:5000/v2/', 'u']]),
    ])
    const want: Credential = {
      username: 'u',
      password: 'pw-u',
      source: { secret: 'ns/pull', key: 'https://127.0.0.1:5000/v2/' },
    }
    assert.deepEqual(keyring.lookup(parseImageReference('127.0.0.1:5000/x/y')), [want])
  })

  void it('matches one registry however its key is written, in entry order', () => {
    const { keyring } = keyringFromSecrets([
      secret('ns/pull', [
        ['127.0.0.1:5000', 'A'],
        ['https://127.0.0.1:5000', 'B'],
        ['https://127.0.0.1:5000/v2/', 'C'],
      ]),
    ])
    assert.deepEqual(users(keyring, '127.0.0.1:5000/x/y'), ['A', 'B', 'C'])
    assert.deepEqual(users(keyring, '127.0.0.1:5001/x/y'), [])
  })

  void it('keeps two secrets with the same key in secret order', () => {
    const { keyring } = keyringFromSecrets([
      secret('ns/a', [['registry.example.com', 'A']]),
      secret('ns/b', [['https://registry.example.com', 'B']]),
    ])
    const found = keyring.lookup(parseImageReference('registry.example.com/app'))
    assert.deepEqual(
      found.map((c) => [c.username, c.source.secret]),
      [
        ['A', 'ns/a'],
        ['B', 'ns/b'],
      ],
    )
  })

  void it('reads a kubernetes.io/dockercfg secret (no auths wrapper)', () => {
    const data = {
      '.dockercfg': b64(JSON.stringify({ 'quay.io': { username: 'u', password: 'p' } })),
    }
    const { keyring, warnings } = keyringFromSecrets([
      { name: 'ns/old', type: 'kubernetes.io/dockercfg', data },
    ])
    assert.deepEqual(warnings, [])
    assert.deepEqual(
      keyring.lookup(parseImageReference('quay.io/org/app')).map((c) => [c.username, c.password]),
      [['u', 'p']],
    )
  })

  void it('ignores other secret types silently, even with a docker config key', () => {
    const config = secret('ns/opaque', [['quay.io', 'A']])
    const { keyring, warnings } = keyringFromSecrets([
      { ...config, type: 'Opaque' },
      { ...config, type: 'kubernetes.io/basic-auth' },
    ])
    assert.deepEqual(warnings, [])
    assert.deepEqual(users(keyring, 'quay.io/x/y'), [])
  })

  void it('honours identitytoken, unpadded auth and a password containing ":"', () => {
    const auths = {
      'a.example.com': { auth: b64('user:').replace(/=+$/, ''), identitytoken: 'refresh-token' },
      'b.example.com': { auth: b64('user:pa:ss').replace(/=+$/, '') },
    }
    const { keyring, warnings } = keyringFromDockerConfig(
      JSON.stringify({ auths }),
      '/tmp/auth.json',
    )
    assert.deepEqual(warnings, [])
    assert.deepEqual(keyring.lookup(parseImageReference('a.example.com/app')), [
      {
        username: 'user',
        password: '',
        identityToken: 'refresh-token',
        source: { secret: '/tmp/auth.json', key: 'a.example.com' },
      },
    ])
    assert.deepEqual(
      keyring.lookup(parseImageReference('b.example.com/app')).map((c) => c.password),
      ['pa:ss'],
    )
  })

  void it('matches IPv6 registries', () => {
    const { keyring } = keyringFromSecrets([secret('ns/v6', [['[2001:db8::1]:5000', 'A']])])
    assert.deepEqual(users(keyring, '[2001:db8::1]:5000/repo'), ['A'])
    assert.deepEqual(users(keyring, '[2001:db8::2]:5000/repo'), [])
  })

  void it('matches nothing for a registry that is not host[:port]', () => {
    const { keyring } = keyringFromSecrets([secret('ns/pull', [['quay.io', 'A']])])
    assert.deepEqual(keyring.lookup({ registry: 'quay.io/evil', repository: 'x' }), [])
  })
})

void describe('keyring: malformed input', () => {
  const PASSWORD = 'hunter2-Secret'
  const valid = secret('ns/good', [['quay.io', 'good']])
  const raw = (name: string, text: string): PullSecret => ({
    name,
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': b64(text) },
  })

  // Each malformed secret is skipped with one warning; the valid secret after it is still used.
  const cases: readonly (readonly [string, PullSecret, RegExp])[] = [
    [
      'bad JSON',
      raw('ns/bad', `{"auths": {"quay.io": {"password": "${PASSWORD}"`),
      /^secret "ns\/bad": "\.dockerconfigjson" is not valid JSON; the secret is ignored$/,
    ],
    [
      'bad JSON with the password next to the error',
      raw('ns/bad', `{"auths": {"quay.io": {"password": ${PASSWORD}}}}`),
      /is not valid JSON/,
    ],
    [
      'missing key',
      { name: 'ns/bad', type: 'kubernetes.io/dockerconfigjson', data: {} },
      /has no "\.dockerconfigjson" key/,
    ],
    [
      'data not base64',
      {
        name: 'ns/bad',
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': '{"auths":{}}' },
      },
      /"\.dockerconfigjson" is not valid base64/,
    ],
    [
      'no auths',
      raw('ns/bad', JSON.stringify({ 'quay.io': { auth: b64(`u:${PASSWORD}`) } })),
      /has no "auths" object/,
    ],
    [
      'invalid base64 auth',
      raw('ns/bad', JSON.stringify({ auths: { 'quay.io': { auth: `${PASSWORD}!!` } } })),
      /key "quay\.io": "auth" is not valid base64; the secret is ignored$/,
    ],
    [
      'auth without ":"',
      raw('ns/bad', JSON.stringify({ auths: { 'quay.io': { auth: b64(PASSWORD) } } })),
      /"auth" must be the base64 of username:password/,
    ],
    [
      'non-string password',
      raw('ns/bad', JSON.stringify({ auths: { 'quay.io': { username: PASSWORD, password: 1 } } })),
      /"password" is not a string/,
    ],
  ]

  for (const [name, bad, message] of cases) {
    void it(`${name}: warning, and the other secrets are still used`, () => {
      const { keyring, warnings } = keyringFromSecrets([bad, valid])
      assert.equal(warnings.length, 1)
      assert.equal(warnings[0]!.secret, 'ns/bad')
      assert.match(warnings[0]!.message, message)
      // V8's JSON errors quote the text near the error: not even a fragment may leak.
      assert.ok(!warnings[0]!.message.includes(PASSWORD.slice(0, 7)), warnings[0]!.message)
      assert.ok(!warnings[0]!.message.includes(b64(PASSWORD)), warnings[0]!.message)
      assert.deepEqual(users(keyring, 'quay.io/x/y'), ['good'])
    })
  }

  void it('skips only the entry whose key is not a registry address', () => {
    const { keyring, warnings } = keyringFromSecrets([
      secret('ns/mixed', [
        ['ftp://quay.io', 'bad'],
        ['quay.io', 'good'],
      ]),
    ])
    assert.deepEqual(warnings, [
      {
        secret: 'ns/mixed',
        message:
          'secret "ns/mixed": key "ftp://quay.io" is not a registry address (host[:port][/path], optionally after https:// or http://); the entry is ignored',
      },
    ])
    assert.deepEqual(users(keyring, 'quay.io/x/y'), ['good'])
  })

  void it('skips entries without credentials silently (credential helper stubs)', () => {
    const json = JSON.stringify({
      auths: { 'quay.io': {}, 'docker.io': { auth: '' } },
      credsStore: 'desktop',
    })
    const { keyring, warnings } = keyringFromDockerConfig(json, '/home/u/.docker/config.json')
    assert.deepEqual(warnings, [])
    assert.deepEqual(users(keyring, 'quay.io/x/y'), [])
  })

  void it('names the file in a docker config warning', () => {
    const { warnings } = keyringFromDockerConfig('{}', '/tmp/config.json')
    assert.equal(warnings.length, 1)
    assert.match(
      warnings[0]!.message,
      /^registry config "\/tmp\/config\.json": the file has no "auths" object; .*; the file is ignored$/,
    )
  })
})

void describe('combineKeyrings and EMPTY_KEYRING', () => {
  void it('returns earlier keyrings first, even when a later match is more specific', () => {
    const namespace = keyringFromSecrets([secret('ns/pull', [['quay.io', 'ns']])]).keyring
    const global = keyringFromDockerConfig(
      JSON.stringify({ auths: { 'quay.io/org': { auth: b64('global:pw') } } }),
      '/etc/pull-secret.json',
    ).keyring
    const combined = combineKeyrings(namespace, EMPTY_KEYRING, global)
    assert.deepEqual(users(combined, 'quay.io/org/app'), ['ns', 'global'])
    assert.deepEqual(users(combined, 'quay.io/other/app'), ['ns'])
  })

  void it('EMPTY_KEYRING and an empty union match nothing', () => {
    assert.deepEqual(users(EMPTY_KEYRING, 'quay.io/x/y'), [])
    assert.deepEqual(users(combineKeyrings(), 'quay.io/x/y'), [])
  })
})
