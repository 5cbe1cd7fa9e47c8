/**
 * Users of `isctl serve --htpasswd FILE` logging in as `oc login -u` does: `isctl login` runs
 * the OAuth code flow, `isctl whoami` and the real kubectl see the user, `isctl logout` revokes
 * the token, tokens expire after `--token-max-age`, and users added with the real
 * `htpasswd -B` can log in without a restart.
 */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { before, describe, it } from 'node:test'
import { parse } from 'yaml'
import {
  addHtpasswdUser,
  adminCredentials,
  httpRequest,
  isctl,
  makeAgent,
  makeTempDir,
  pollUntil,
  removeTempDir,
  useServe,
  userSession,
  type HttpResponse,
} from '../harness/index.js'

const PASSWORDS = { alice: 'wonder land', carol: 'carol-pass' }
// Alice has no project yet, and may request one (self-provisioner, for users who log in).
const LOGIN_OUTPUT =
  'Login successful.\n\n' +
  "You don't have any projects. You can try to create a new project, by running\n\n" +
  '    isctl new-project <projectname>\n\n'
const LOGIN_FAILED =
  'Login failed (401 Unauthorized)\nVerify you have provided the correct credentials.\n'

/** whoAmIWith asks the server who a token belongs to, as oc whoami does (users/~). */
async function whoAmIWith(server: string, caPem: string, token: string): Promise<HttpResponse> {
  const dispatcher = makeAgent(caPem)
  try {
    return await httpRequest(`${server}/apis/user.openshift.io/v1/users/~`, {
      headers: { authorization: `Bearer ${token}` },
      dispatcher,
    })
  } finally {
    await dispatcher.close()
  }
}

/** registryWith asks the integrated registry's base endpoint with a token as a Basic password. */
async function registryWith(server: string, caPem: string, token: string): Promise<number> {
  const dispatcher = makeAgent(caPem)
  try {
    const basic = Buffer.from(`alice:${token}`).toString('base64')
    return (
      await httpRequest(`${server}/v2/`, {
        headers: { authorization: `Basic ${basic}` },
        dispatcher,
      })
    ).status
  } finally {
    await dispatcher.close()
  }
}

describe('isctl login -u against isctl serve --htpasswd', () => {
  const suite = useServe(() => [], { users: PASSWORDS })
  let server = ''
  let caFile = ''
  let caPem = ''
  before(() => {
    const admin = adminCredentials(suite.kubeconfig)
    server = admin.server
    caFile = admin.caFile
    caPem = admin.caPem
  })
  const alice = userSession(suite)

  it('logs alice in with her password and saves the token under oc names', async () => {
    const res = await alice.login('alice', PASSWORDS.alice)
    assert.equal(res.stderr, '')
    assert.equal(res.code, 0)
    assert.equal(res.stdout, `${LOGIN_OUTPUT}Welcome! See 'isctl help' to get started.\n`)
    const config = parse(readFileSync(alice.config, 'utf8')) as {
      'current-context': string
      users: { name: string; user: { token: string } }[]
    }
    const cluster = new URL(server).host.replace(/\./g, '-')
    assert.equal(config['current-context'], `/${cluster}/alice`)
    assert.equal(config.users[0]?.name, `alice/${cluster}`)
    assert.match(config.users[0]?.user.token ?? '', /^sha256~[A-Za-z0-9_-]{43}$/)
  })

  it('isctl whoami prints alice, -t her token and --show-server the server', async () => {
    assert.deepEqual(await alice.run(['whoami']), { code: 0, stdout: 'alice\n', stderr: '' })
    const token = (await alice.run(['whoami', '-t'])).stdout
    assert.match(token, /^sha256~[A-Za-z0-9_-]{43}\n$/)
    assert.equal((await alice.run(['whoami', '--show-server'])).stdout, `${server}\n`)
  })

  it('kubectl auth whoami with that kubeconfig shows alice and her groups', async () => {
    const res = await alice.kubectl(['auth', 'whoami', '-o', 'json'])
    assert.equal(res.code, 0, res.stderr)
    const review = JSON.parse(res.stdout) as {
      status: { userInfo: { username: string; groups: string[] } }
    }
    assert.deepEqual(review.status.userInfo, {
      username: 'alice',
      groups: ['system:authenticated:oauth', 'system:authenticated'],
    })
  })

  it('users/~ answers the user, as oc whoami reads it', async () => {
    const res = await alice.kubectl(['get', '--raw', '/apis/user.openshift.io/v1/users/~'])
    assert.equal(res.code, 0, res.stderr)
    assert.deepEqual(JSON.parse(res.stdout), {
      kind: 'User',
      apiVersion: 'user.openshift.io/v1',
      metadata: { name: 'alice', creationTimestamp: null },
      identities: null,
      groups: ['system:authenticated:oauth', 'system:authenticated'],
    })
  })

  it("a wrong password prints oc's error, exits 1 and leaves the kubeconfig alone", async () => {
    const before = readFileSync(alice.config, 'utf8')
    const res = await alice.login('alice', 'not her password')
    assert.deepEqual(res, { code: 1, stdout: LOGIN_FAILED, stderr: '' })
    assert.equal(readFileSync(alice.config, 'utf8'), before)
  })

  it('an unknown user gets the same answer as a wrong password', async () => {
    const stranger = await alice.login('mallory', PASSWORDS.alice)
    assert.deepEqual(stranger, { code: 1, stdout: LOGIN_FAILED, stderr: '' })
  })

  it('after 5 failures in a minute, even the right password is refused for a while', async () => {
    const home = makeTempDir('cli-login-carol-')
    try {
      const login = (password: string) =>
        isctl(
          ['login', server, '-u', 'carol', '-p', password, `--certificate-authority=${caFile}`],
          { home },
        )
      for (let i = 0; i < 5; i++) assert.equal((await login(`guess ${i}`)).code, 1)
      assert.deepEqual(await login(PASSWORDS.carol), { code: 1, stdout: LOGIN_FAILED, stderr: '' })
      const lines = suite.server.lines()
      assert.ok(
        lines.some((l) => l.msg === 'login refused: too many failed logins' && l.user === 'carol'),
      )
    } finally {
      await removeTempDir(home)
    }
  })

  it('isctl logout revokes the token (API and registry) and removes it from the kubeconfig', async () => {
    const token = (await alice.run(['whoami', '-t'])).stdout.trim()
    assert.equal((await whoAmIWith(server, caPem, token)).status, 200)
    assert.equal(await registryWith(server, caPem, token), 200)
    const res = await alice.run(['logout'])
    assert.deepEqual(res, { code: 0, stdout: `Logged "alice" out on "${server}"\n`, stderr: '' })
    assert.equal((await whoAmIWith(server, caPem, token)).status, 401)
    assert.equal(await registryWith(server, caPem, token), 401)
    assert.doesNotMatch(readFileSync(alice.config, 'utf8'), /sha256~/)
    assert.deepEqual(await alice.run(['logout']), {
      code: 1,
      stdout: '',
      stderr: 'error: You must have a token in order to logout.\n',
    })
  })

  it('a user added with htpasswd -B while the server runs can log in', async () => {
    const home = makeTempDir('cli-login-bob-')
    try {
      const login = () =>
        isctl(['login', server, '-u', 'bob', '-p', 'b0b', `--certificate-authority=${caFile}`], {
          home,
        })
      assert.equal((await login()).code, 1)
      await addHtpasswdUser(suite.htpasswd, 'bob', 'b0b')
      const res = await login()
      assert.equal(res.code, 0, res.stdout + res.stderr)
      assert.match(res.stdout, /^Login successful\.\n/)
      assert.equal((await isctl(['whoami'], { home })).stdout, 'bob\n')
    } finally {
      await removeTempDir(home)
    }
  })

  it('a half-written htpasswd file keeps the users the server had', async () => {
    const text = readFileSync(suite.htpasswd, 'utf8')
    // A save caught midway: the last line is cut before its colon.
    writeFileSync(suite.htpasswd, `${text}dav`)
    await pollUntil('the server to notice the file', () =>
      Promise.resolve(
        suite.server.lines().some((l) => String(l.msg).startsWith('htpasswd file not re-read')),
      ),
    )
    const res = await alice.login('alice', PASSWORDS.alice)
    assert.equal(res.code, 0, res.stdout + res.stderr)
    writeFileSync(suite.htpasswd, text)
  })

  it('never logs a password or a token', async () => {
    const token = (await alice.run(['whoami', '-t'])).stdout.trim()
    const log = JSON.stringify(suite.server.lines())
    for (const secret of [...Object.values(PASSWORDS), 'not her password', token]) {
      assert.equal(log.includes(secret), false, `the log holds ${secret}`)
    }
  })
})

describe('isctl serve --token-max-age', () => {
  const suite = useServe(() => ['--token-max-age', '3s'], { users: PASSWORDS })
  let server = ''
  let caPem = ''
  before(() => {
    const admin = adminCredentials(suite.kubeconfig)
    server = admin.server
    caPem = admin.caPem
  })
  const alice = userSession(suite)

  it('refuses a token once it is older than the maximum age', async () => {
    const res = await alice.login('alice', PASSWORDS.alice)
    assert.equal(res.code, 0, res.stdout + res.stderr)
    const token = (await alice.run(['whoami', '-t'])).stdout.trim()
    await pollUntil(
      'the token to expire',
      async () => (await whoAmIWith(server, caPem, token)).status === 401,
      { timeoutMs: 30_000, intervalMs: 250 },
    )
    const whoami = await alice.run(['whoami'])
    assert.equal(whoami.code, 1)
  })
})
