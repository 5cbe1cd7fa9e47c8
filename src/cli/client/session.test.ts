import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { CommandIO } from '../io.js'
import type { Kubeconfig } from './kubeconfig.js'
import { openSession, parseRequestTimeout, resolveWithFlags } from './session.js'

void describe('parseRequestTimeout (kubectl --request-timeout)', () => {
  const ok: [string | undefined, number | undefined][] = [
    [undefined, undefined],
    ['', undefined],
    ['0', undefined],
    ['0s', undefined],
    ['-1s', undefined],
    ['5', 5000],
    ['1s', 1000],
    ['1.5s', 1500],
    ['100ms', 100],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['1h2m3s', 3_723_000],
    ['.5s', 500],
    ['1500us', 1.5],
  ]
  for (const [input, want] of ok) {
    void it(`${JSON.stringify(input)} -> ${want}`, () =>
      assert.equal(parseRequestTimeout(input), want))
  }
  for (const input of ['abc', '1d', '-1', '1 s', 's', '1.2.3s', '5x']) {
    void it(`${JSON.stringify(input)} is refused with kubectl's message`, () =>
      assert.throws(() => parseRequestTimeout(input), {
        name: 'UsageError',
        message:
          'Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)',
      }))
  }
})

void describe('openSession', () => {
  let dir: string
  let kubeconfig: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-session-'))
    writeFileSync(join(dir, 'token'), 'from-file\n')
    kubeconfig = join(dir, 'config')
    writeFileSync(
      kubeconfig,
      `
current-context: ns
clusters:
- name: c
  cluster: {server: 'https://127.0.0.1:1/'}
- name: bad-ca
  cluster: {server: 'https://127.0.0.1:1', certificate-authority: missing.crt}
users:
- name: u
  user: {tokenFile: token}
contexts:
- name: ns
  context: {cluster: c, user: u, namespace: team-a}
- name: plain
  context: {cluster: c, user: u}
- name: bad
  context: {cluster: bad-ca, user: u}
`,
    )
  })
  after(() => rmSync(dir, { recursive: true, force: true }))
  const io: CommandIO = {
    stdout: { write: () => true },
    stderr: { write: () => true },
    env: {},
    now: () => new Date(0),
  }

  const cases: {
    what: string
    flags: { namespace?: string; context?: string }
    namespace: string
    explicit: boolean
  }[] = [
    { what: "the context's namespace", flags: {}, namespace: 'team-a', explicit: false },
    { what: '-n over the context', flags: { namespace: 'x' }, namespace: 'x', explicit: true },
    {
      what: 'default without one',
      flags: { context: 'plain' },
      namespace: 'default',
      explicit: false,
    },
  ]
  for (const c of cases) {
    void it(`works in ${c.what}`, async () => {
      const session = await openSession({ kubeconfig, ...c.flags }, io)
      try {
        assert.equal(session.namespace, c.namespace)
        assert.equal(session.namespaceExplicit, c.explicit)
        assert.equal(session.client.server, 'https://127.0.0.1:1')
        assert.equal(session.context.user.tokenFile, join(dir, 'token'))
      } finally {
        await session.client.close()
      }
    })
  }

  void it('names a certificate authority file it cannot read', async () => {
    await assert.rejects(openSession({ kubeconfig, context: 'bad' }, io), {
      name: 'CliError',
      message: new RegExp(`^unable to read certificate authority "${join(dir, 'missing.crt')}": `),
    })
  })

  void it('refuses a bad --request-timeout before reading anything', async () => {
    await assert.rejects(
      openSession({ kubeconfig: join(dir, 'nope'), requestTimeout: 'soon' }, io),
      { name: 'UsageError' },
    )
  })
})

void describe("resolveWithFlags (kubectl's overrides of the kubeconfig)", () => {
  const file = (doc: Record<string, unknown>): Kubeconfig => ({
    files: [{ path: '/home/u/.kube/config', exists: true, doc }],
    source: 'default',
  })
  const config = file({
    'current-context': 'c',
    contexts: [{ name: 'c', context: { cluster: 'k', user: 'u', namespace: 'team' } }],
    clusters: [
      {
        name: 'k',
        cluster: {
          server: 'https://a:6443',
          'certificate-authority-data': 'Q0E=',
          'tls-server-name': 'a.example',
        },
      },
    ],
    users: [{ name: 'u', user: { tokenFile: 'token' } }],
  })

  void it('--server alone needs no kubeconfig, and defaults to https', () => {
    const r = resolveWithFlags(file({}), { server: '127.0.0.1:8443', token: 't' })
    assert.deepEqual(r.cluster, { server: 'https://127.0.0.1:8443' })
    assert.deepEqual(r.user, { token: 't' })
    assert.equal(r.namespace, 'default')
  })

  void it('without --server or a context there is nothing to connect to', () =>
    assert.throws(() => resolveWithFlags(file({}), { token: 't' }), /no server is configured/))

  void it('--server keeps the context, its user and its CA, and drops tls-server-name', () => {
    const r = resolveWithFlags(config, { server: 'https://b:6443' })
    assert.deepEqual(r.cluster, {
      server: 'https://b:6443',
      'certificate-authority-data': 'Q0E=',
    })
    assert.equal(r.user.tokenFile, '/home/u/.kube/token')
    assert.equal(r.namespace, 'team')
  })

  void it('--token replaces the token file', () =>
    assert.deepEqual(resolveWithFlags(config, { token: 't' }).user, { token: 't' }))

  void it('--certificate-authority replaces the CA data', () =>
    assert.deepEqual(resolveWithFlags(config, { certificateAuthority: '/ca.crt' }).cluster, {
      server: 'https://a:6443',
      'tls-server-name': 'a.example',
      'insecure-skip-tls-verify': false,
      'certificate-authority': '/ca.crt',
    }))

  void it('--insecure-skip-tls-verify drops the CA', () =>
    assert.deepEqual(resolveWithFlags(config, { insecureSkipTlsVerify: true }).cluster, {
      server: 'https://a:6443',
      'tls-server-name': 'a.example',
      'insecure-skip-tls-verify': true,
    }))

  void it('both are refused with client-go words', () =>
    assert.throws(
      () => resolveWithFlags(config, { insecureSkipTlsVerify: true, certificateAuthority: '/c' }),
      { message: 'specifying a root certificates file with the insecure flag is not allowed' },
    ))
})
