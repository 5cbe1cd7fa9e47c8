import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parse } from 'yaml'
import {
  contextNames,
  currentContextName,
  kubeconfigPaths,
  loadKubeconfig,
  resolveContext,
  writeKubeconfigChange,
} from './kubeconfig.js'

let dir: string
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'imagestreams-kubeconfig-'))
})
after(() => rmSync(dir, { recursive: true, force: true }))

/** file writes a kubeconfig under the temp dir and returns its path. */
function file(name: string, text: string): string {
  const path = join(dir, name)
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, text)
  return path
}

const A = `
apiVersion: v1
kind: Config
current-context: ctx-a
clusters:
- name: shared
  cluster: {server: https://a.example:6443, certificate-authority: certs/ca.crt}
- name: only-a
  cluster: {server: https://only-a.example}
users:
- name: alice
  user: {tokenFile: tokens/alice, client-certificate: c.crt, client-key: /abs/c.key}
contexts:
- name: ctx-a
  context: {cluster: shared, user: alice, namespace: team-a}
- name: no-ns
  context: {cluster: only-a, user: alice}
- name: lost
  context: {cluster: nowhere, user: alice}
- name: serverless
  context: {cluster: empty, user: alice}
`
const B = `
current-context: ctx-b
clusters:
- name: shared
  cluster: {server: https://b.example:6443}
- name: empty
  cluster: {}
users:
- name: bob
  user: {token: bob-token}
contexts:
- name: ctx-b
  context: {cluster: shared, user: bob}
`

void describe('kubeconfigPaths', () => {
  const env = (e: Record<string, string>) => e
  const cases: {
    what: string
    flag?: string
    env: Record<string, string>
    paths: string[]
    source: string
  }[] = [
    {
      what: '--kubeconfig wins over $KUBECONFIG, resolved against the working directory',
      flag: 'rel/config',
      env: env({ KUBECONFIG: '/x', HOME: '/home/u' }),
      paths: [resolve('rel/config')],
      source: '--kubeconfig',
    },
    {
      what: '$KUBECONFIG is a list: empty entries dropped, duplicates once, order kept',
      env: env({ KUBECONFIG: ['/b', '', '/a', '/b'].join(delimiter), HOME: '/home/u' }),
      paths: ['/b', '/a'],
      source: '$KUBECONFIG',
    },
    {
      what: 'an empty $KUBECONFIG falls back to ~/.kube/config',
      env: env({ KUBECONFIG: '', HOME: '/home/u' }),
      paths: ['/home/u/.kube/config'],
      source: 'default',
    },
  ]
  for (const c of cases) {
    void it(c.what, () =>
      assert.deepEqual(kubeconfigPaths(c.flag, c.env), { paths: c.paths, source: c.source }),
    )
  }
})

void describe('loadKubeconfig', () => {
  void it('a missing --kubeconfig file is an error, as kubectl reports it', async () => {
    const missing = join(dir, 'nope', 'config')
    await assert.rejects(loadKubeconfig(missing, {}), {
      name: 'CliError',
      message: `stat ${missing}: no such file or directory`,
    })
  })

  void it('missing $KUBECONFIG files are skipped, not errors', async () => {
    const a = file('load/a', A)
    const missing = join(dir, 'load', 'missing')
    const config = await loadKubeconfig(undefined, { KUBECONFIG: [missing, a].join(delimiter) })
    assert.deepEqual(
      config.files.map((f) => [f.path, f.exists]),
      [
        [missing, false],
        [a, true],
      ],
    )
    assert.equal(config.source, '$KUBECONFIG')
  })

  const broken: [string, string, RegExp][] = [
    ['invalid YAML', 'clusters: [', /^error loading config file ".*bad-yaml": /],
    [
      'a list at the top',
      '- a\n- b\n',
      /^error loading config file ".*bad-list": not a kubeconfig$/,
    ],
  ]
  for (const [what, text, message] of broken) {
    void it(`${what} is an error naming the file`, async () => {
      const path = file(what === 'invalid YAML' ? 'bad-yaml' : 'bad-list', text)
      await assert.rejects(loadKubeconfig(path, {}), { name: 'CliError', message })
    })
  }

  void it('an empty file is an empty configuration', async () => {
    const config = await loadKubeconfig(file('empty', ''), {})
    assert.deepEqual(config.files[0]?.doc, {})
  })
})

void describe('merging and resolveContext', () => {
  const load = async () => {
    const a = file('merge/a/config', A)
    const b = file('merge/b/config', B)
    return {
      a,
      b,
      config: await loadKubeconfig(undefined, { KUBECONFIG: [a, b].join(delimiter) }),
    }
  }

  void it('current-context is the first one set', async () => {
    const { config } = await load()
    assert.equal(currentContextName(config), 'ctx-a')
  })

  void it('the first file naming an entry wins; relative paths follow their own file', async () => {
    const { config } = await load()
    const ctx = resolveContext(config, undefined)
    assert.deepEqual(ctx, {
      contextName: 'ctx-a',
      clusterName: 'shared',
      userName: 'alice',
      cluster: {
        server: 'https://a.example:6443',
        'certificate-authority': join(dir, 'merge/a/certs/ca.crt'),
      },
      user: {
        tokenFile: join(dir, 'merge/a/tokens/alice'),
        'client-certificate': join(dir, 'merge/a/c.crt'),
        'client-key': '/abs/c.key',
      },
      namespace: 'team-a',
    })
  })

  void it('--context picks entries across files', async () => {
    const { config } = await load()
    const ctx = resolveContext(config, 'ctx-b')
    // `shared` is taken from the first file even for a context of the second.
    assert.equal(ctx.cluster.server, 'https://a.example:6443')
    assert.deepEqual(ctx.user, { token: 'bob-token' })
    assert.equal(ctx.namespace, 'default')
  })

  const errors: [string, string | undefined, string][] = [
    ['an unknown --context', 'nope', 'context was not found for specified context: nope'],
    [
      'a context whose cluster is missing',
      'lost',
      'cluster "nowhere" of context "lost" was not found',
    ],
    ['a cluster without a server', 'serverless', 'cluster "empty" has no server'],
  ]
  for (const [what, flag, message] of errors) {
    void it(`${what} is an error`, async () => {
      const { config } = await load()
      assert.throws(() => resolveContext(config, flag), { name: 'CliError', message })
    })
  }

  void it('no context at all says how to get one', async () => {
    const config = await loadKubeconfig(undefined, { HOME: join(dir, 'no-home') })
    assert.throws(() => resolveContext(config, undefined), {
      name: 'CliError',
      message:
        /^no server is configured: log in with "isctl login SERVER -u NAME" or "isctl login SERVER --token=TOKEN"/,
    })
  })
})

void describe('writeKubeconfigChange', () => {
  const read = (path: string) => parse(readFileSync(path, 'utf8')) as Record<string, unknown>

  void it('updates the file that defines the entry and keeps what it does not know', async () => {
    const a = file('write1/a', `${A}\nextensions:\n- name: kept\n  extension: {x: 1}\n`)
    const b = file('write1/b', B)
    const before = readFileSync(a, 'utf8')
    const config = await loadKubeconfig(undefined, { KUBECONFIG: [a, b].join(delimiter) })
    await writeKubeconfigChange(config, {
      contexts: [{ name: 'ctx-b', context: { cluster: 'shared', user: 'bob', namespace: 'ns' } }],
    })
    assert.equal(readFileSync(a, 'utf8'), before, 'the other file is untouched')
    const doc = read(b)
    assert.deepEqual(doc.contexts, [
      { name: 'ctx-b', context: { cluster: 'shared', user: 'bob', namespace: 'ns' } },
    ])
    assert.equal(doc['current-context'], 'ctx-b')
    assert.deepEqual(doc.clusters, [
      { name: 'shared', cluster: { server: 'https://b.example:6443' } },
      { name: 'empty', cluster: {} },
    ])
    assert.equal(statSync(b).mode & 0o777, 0o600)
  })

  void it('keeps unknown keys of the file when rewriting it', async () => {
    const a = file('write2/a', `${A}\nextensions:\n- name: kept\n  extension: {x: 1}\n`)
    const config = await loadKubeconfig(a, {})
    await writeKubeconfigChange(config, { currentContext: 'no-ns' })
    const doc = read(a)
    assert.equal(doc['current-context'], 'no-ns')
    assert.deepEqual(doc.extensions, [{ name: 'kept', extension: { x: 1 } }])
    assert.equal((doc.contexts as unknown[]).length, 4)
    assert.equal(statSync(a).mode & 0o777, 0o600)
  })

  const placements: { what: string; exist: boolean[]; want: number }[] = [
    { what: 'the first existing file of $KUBECONFIG', exist: [false, true, true], want: 1 },
    { what: 'the last file when none exists', exist: [false, false, false], want: 2 },
  ]
  for (const p of placements) {
    void it(`a new entry and current-context go to ${p.what}`, async () => {
      const base = join(dir, `place-${p.want}-${p.exist.join('')}`)
      const paths = p.exist.map((e, i) => {
        const path = join(base, `f${i}`)
        if (e) file(join(`place-${p.want}-${p.exist.join('')}`, `f${i}`), 'preferences: {}\n')
        return path
      })
      const config = await loadKubeconfig(undefined, { KUBECONFIG: paths.join(delimiter) })
      await writeKubeconfigChange(config, {
        clusters: [{ name: 'c', cluster: { server: 'https://c.example' } }],
        currentContext: 'x',
      })
      const doc = read(paths[p.want]!)
      assert.deepEqual(doc.clusters, [{ name: 'c', cluster: { server: 'https://c.example' } }])
      assert.equal(doc['current-context'], 'x')
      paths.forEach((path, i) => {
        if (i !== p.want && p.exist[i])
          assert.equal(readFileSync(path, 'utf8'), 'preferences: {}\n')
      })
    })
  }

  void it('creates ~/.kube/config with its directory', async () => {
    const home = join(dir, 'fresh-home')
    const config = await loadKubeconfig(undefined, { HOME: home })
    await writeKubeconfigChange(config, {
      users: [{ name: 'u', user: { token: 't' } }],
      currentContext: 'x',
    })
    const path = join(home, '.kube', 'config')
    assert.deepEqual(read(path), {
      apiVersion: 'v1',
      kind: 'Config',
      preferences: {},
      users: [{ name: 'u', user: { token: 't' } }],
      'current-context': 'x',
      clusters: [],
      contexts: [],
    })
    assert.equal(statSync(path).mode & 0o777, 0o600)
    assert.equal(statSync(join(home, '.kube')).mode & 0o777, 0o700)
  })
})

void describe('contextNames (oc login names)', () => {
  const cases: [string, string, string, [string, string, string]][] = [
    [
      'https://127.0.0.1:8443',
      'admin',
      'default',
      ['127-0-0-1:8443', 'admin/127-0-0-1:8443', 'default/127-0-0-1:8443/admin'],
    ],
    [
      'https://api.example.com:6443/prefix',
      'bob',
      'team-a',
      ['api-example-com:6443', 'bob/api-example-com:6443', 'team-a/api-example-com:6443/bob'],
    ],
    ['https://[::1]:8443', 'admin', 'x', ['[::1]:8443', 'admin/[::1]:8443', 'x/[::1]:8443/admin']],
    ['https://[::1]', 'admin', 'x', ['[::1]:443', 'admin/[::1]:443', 'x/[::1]:443/admin']],
    ['http://example.com', 'a', 'b', ['example-com:80', 'a/example-com:80', 'b/example-com:80/a']],
    [
      'https://example.com:443',
      'a',
      'b',
      ['example-com:443', 'a/example-com:443', 'b/example-com:443/a'],
    ],
  ]
  for (const [server, user, ns, [cluster, userName, context]] of cases) {
    void it(`${server} ${user} ${ns}`, () =>
      assert.deepEqual(contextNames(server, user, ns), { cluster, user: userName, context }))
  }
})
