import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import type { Kubeconfig } from '../client/kubeconfig.js'
import type { CommandIO } from '../io.js'
import { runVerb } from '../testing/run-verb.js'
import {
  chooseProject,
  configureLogin,
  completeLoginServer,
  existingContextName,
  knownTrust,
  loginConnectionMessage,
  normalizeServer,
} from './login.js'

void describe('normalizeServer', () => {
  const cases: [string, string][] = [
    ['127.0.0.1:8443', 'https://127.0.0.1:8443'],
    ['https://127.0.0.1:8443/', 'https://127.0.0.1:8443'],
    ['https://api.example.com:443', 'https://api.example.com'],
    ['HTTPS://Api.Example.com:6443/prefix//', 'https://api.example.com:6443/prefix'],
    ['http://localhost:8080', 'http://localhost:8080'],
    ['[::1]:8443', 'https://[::1]:8443'],
  ]
  for (const [input, want] of cases) {
    void it(`${input} -> ${want}`, () => assert.equal(normalizeServer(input), want))
  }
  for (const input of ['ftp://x', 'https://']) {
    void it(`refuses ${input}`, () =>
      assert.throws(() => normalizeServer(input), /invalid server URL/))
  }
})

void describe('completeLoginServer', () => {
  const cases: {
    operands: string[]
    server?: string
    current?: string
    want: string | RegExp
  }[] = [
    { operands: ['a:1'], want: 'https://a:1' },
    { operands: [], server: 'b:2', want: 'https://b:2' },
    { operands: [], current: 'https://c:3', want: 'https://c:3' },
    { operands: ['a:1', 'b:2'], want: /^Only the server URL may be specified as an argument$/ },
    {
      operands: ['a:1'],
      server: 'b:2',
      want: /^--server and passing the server URL as an argument are mutually exclusive$/,
    },
    { operands: [], want: /^A server URL must be specified$/ },
  ]
  for (const c of cases) {
    void it(`${JSON.stringify(c)}`, () => {
      const run = () => completeLoginServer(c.operands, { server: c.server }, c.current)
      if (typeof c.want === 'string') assert.equal(run(), c.want)
      else assert.throws(run, { name: 'UsageError', message: c.want })
    })
  }
})

void describe('loginConnectionMessage', () => {
  const err = (code: string, message = 'boom') => Object.assign(new Error(message), { code })
  const S = 'https://127.0.0.1:8443'
  const cases: [string, Error, RegExp][] = [
    [
      'an unknown CA',
      err('SELF_SIGNED_CERT_IN_CHAIN'),
      /^The server uses a certificate signed by unknown authority\. You may need to use the --certificate-authority flag/,
    ],
    [
      'a leaf it cannot verify',
      err('UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
      /--insecure-skip-tls-verify to bypass/,
    ],
    [
      'a wrong host name',
      err('ERR_TLS_CERT_ALTNAME_INVALID', 'IP 1 not in list'),
      /^The server is using a certificate that does not match its hostname: IP 1 not in list$/,
    ],
    [
      'an expired certificate',
      err('CERT_HAS_EXPIRED', 'certificate has expired'),
      /^The server is using an invalid certificate: certificate has expired$/,
    ],
    [
      'a plain HTTP server',
      err('EPROTO', 'wrong version number'),
      /^Unable to connect to https:\/\/127\.0\.0\.1:8443 using TLS: wrong version number\.\nEnsure the specified server supports HTTPS\.$/,
    ],
    [
      'a refused connection',
      err('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:8443'),
      /^connect ECONNREFUSED 127\.0\.0\.1:8443 - verify you have provided the correct host and port and that the server is currently running\.$/,
    ],
  ]
  for (const [what, e, want] of cases) {
    void it(what, () => assert.match(loginConnectionMessage(e, S), want))
  }
})

void describe('chooseProject (oc login over the projects one may see)', () => {
  const listed =
    "You have access to the following projects and can switch between them with 'isctl project <projectname>':\n\n"
  const cases: {
    what: string
    names: string[] | undefined
    wanted?: string
    error?: string
    canRequest?: boolean
    project: string
    text: string
  }[] = [
    {
      what: 'keeps the current namespace when it exists',
      names: ['team-b', 'default', 'team-a'],
      wanted: 'team-a',
      project: 'team-a',
      text: `${listed}    default\n  * team-a\n    team-b\n\nUsing project "team-a".\n`,
    },
    {
      what: 'falls back to default',
      names: ['team-a', 'default'],
      wanted: 'gone',
      project: 'default',
      text: `${listed}  * default\n    team-a\n\nUsing project "default".\n`,
    },
    {
      what: 'else the first one',
      names: ['b', 'a'],
      project: 'a',
      text: `${listed}  * a\n    b\n\nUsing project "a".\n`,
    },
    {
      what: 'one project',
      names: ['default'],
      wanted: 'x',
      project: 'default',
      text: 'You have one project on this server: "default"\n\nUsing project "default".\n',
    },
    {
      what: 'none',
      names: [],
      project: '',
      text: "You don't have any projects. Contact your system administrator to request a project.\n",
    },
    {
      what: 'none, and one may request projects',
      names: [],
      canRequest: true,
      project: '',
      text: "You don't have any projects. You can try to create a new project, by running\n\n    isctl new-project <projectname>\n\n",
    },
    {
      what: 'a list it may not read',
      names: undefined,
      project: 'default',
      text: 'Using "default" namespace.  You can switch namespaces with:\n\n isctl project <projectname>\n',
    },
    {
      what: 'a list that failed',
      names: undefined,
      error: 'boom',
      project: 'default',
      text: 'WARNING: Failed to list projects: boom\nUsing "default" namespace.  You can switch namespaces with:\n\n isctl project <projectname>\n',
    },
  ]
  for (const c of cases) {
    void it(c.what, () =>
      assert.deepEqual(chooseProject(c.names, c.wanted, c.error, c.canRequest), {
        project: c.project,
        text: c.text,
      }),
    )
  }

  void it('suppresses a long list', () => {
    const names = Array.from({ length: 51 }, (_, i) => `ns-${String(i).padStart(2, '0')}`)
    assert.equal(
      chooseProject(names, undefined).text,
      'You have access to 51 projects, the list has been suppressed. You can list all projects with \'isctl projects\'\n\nUsing project "ns-00".\n',
    )
  })
})

void describe('reading the existing kubeconfig', () => {
  const config: Kubeconfig = {
    source: 'default',
    files: [
      {
        path: '/home/u/.kube/config',
        exists: true,
        doc: {
          clusters: [
            {
              name: 'insecure',
              cluster: { server: 'https://i:1', 'insecure-skip-tls-verify': true },
            },
            {
              name: 'file',
              cluster: { server: 'https://f:1/', 'certificate-authority': 'ca.crt' },
            },
            { name: 'data', cluster: { server: 'f:2', 'certificate-authority-data': 'Q0E=' } },
          ],
          contexts: [
            { name: 'mine', context: { cluster: 'file', user: 'admin/f:1', namespace: 'x' } },
            { name: 'no-ns', context: { cluster: 'file', user: 'admin/f:1' } },
          ],
        },
      },
    ],
  }
  const trust: [string, object][] = [
    ['https://f:1', { caFile: '/home/u/.kube/ca.crt', insecure: false }],
    ['https://f:2', { caData: 'Q0E=', insecure: false }],
    ['https://i:1', { insecure: true }],
    ['https://other:1', { insecure: false }],
  ]
  for (const [server, want] of trust) {
    void it(`knownTrust ${server}`, () => assert.deepEqual(knownTrust(config, server), want))
  }
  const contexts: [object, string | undefined][] = [
    [{ cluster: 'file', user: 'admin/f:1', namespace: 'x' }, 'mine'],
    [{ cluster: 'file', user: 'admin/f:1', namespace: '' }, 'no-ns'],
    [{ cluster: 'file', user: 'admin/f:1', namespace: 'y' }, undefined],
  ]
  for (const [want, name] of contexts) {
    void it(`existingContextName ${JSON.stringify(want)}`, () =>
      assert.equal(
        existingContextName(config, want as { cluster: string; user: string; namespace: string }),
        name,
      ))
  }
})

void describe('isctl login with a user name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'isctl-login-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  // Nothing listens on port 1: every flow that gets as far as the network fails there.
  const SERVER = 'https://127.0.0.1:1'
  const login = (args: string[], prompt?: CommandIO['prompt']) =>
    runVerb(configureLogin, [SERVER, ...args], {
      kubeconfig: join(dir, 'config'),
      now: new Date(),
      ...(prompt && { prompt }),
    })

  void it('refuses --token with --username, as oc does', async () => {
    const res = await login(['-u', 'alice', '--token', 't'])
    assert.equal(res.code, 1)
    assert.match(res.stderr, /--token and --username are mutually exclusive/)
  })

  void it('without a terminal, asks for the flag it would have prompted for', async () => {
    const none = await login([])
    assert.equal(none.code, 1)
    assert.match(none.stderr, /a user name \(-u\) or a token \(--token\) is required/)
    const noPassword = await login(['-u', 'alice'])
    assert.equal(noPassword.code, 1)
    assert.match(
      noPassword.stderr,
      /a password is required: pass -p, or run isctl login on a terminal/,
    )
  })

  void it('on a terminal, prompts for the user name and the password without echo', async () => {
    const asked: [string, boolean][] = []
    const res = await login([], (question, opts) => {
      asked.push([question, opts.echo])
      return Promise.resolve(question.startsWith('Username') ? 'alice' : 'pw')
    })
    assert.deepEqual(asked, [
      ['Username: ', true],
      ['Password: ', false],
    ])
    assert.equal(res.stdout, `Authentication required for ${SERVER} (openshift)\n`)
    assert.equal(res.code, 1)
  })
})
