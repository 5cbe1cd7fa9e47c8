/**
 * The global flags against a real `isctl serve`, for a user without any kubeconfig and for one
 * logged in: `--server`, `--token`, `--certificate-authority`, `--insecure-skip-tls-verify`,
 * `--as` and `--as-group` anywhere on the line, `-v`/`--loglevel` request logs with the token
 * masked, usage errors in oc's words, and `version` naming the script and both versions.
 */
import assert from 'node:assert/strict'
import { readFileSync, realpathSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parse } from 'yaml'
import {
  adminCredentials,
  ISCTL_BIN,
  userSession,
  useServe,
  type AdminCredentials,
} from '../harness/index.js'

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
).version

describe('isctl global flags against isctl serve', () => {
  const suite = useServe(() => [], { users: { alice: 'alice-pass' } })
  const alice = userSession(suite)
  /** Someone with no kubeconfig at all: every connection fact comes from the flags. */
  const stranger = userSession(suite)
  const admin = (): AdminCredentials => adminCredentials(suite.kubeconfig)
  const connection = () => {
    const { server, token, caFile } = admin()
    return ['--server', server, '--token', token, '--certificate-authority', caFile]
  }

  it('--server, --token and --certificate-authority need no kubeconfig, before or after the verb', async () => {
    const [server, token, ca] = [admin().server, admin().token, admin().caFile]
    const after = await stranger.run(['get', 'is', '-n', 'default', ...connection()])
    assert.equal(after.code, 0, after.stderr)
    assert.equal(after.stderr, 'No resources found in default namespace.\n')
    const before = await stranger.run([
      `--server=${server}`,
      `--token=${token}`,
      `--certificate-authority=${ca}`,
      'whoami',
    ])
    assert.equal(before.code, 0, before.stderr)
    assert.equal(before.stdout, 'admin\n')
    const between = await stranger.run([
      '--server',
      server,
      'whoami',
      '--token',
      token,
      '-s',
      server,
      '--certificate-authority',
      ca,
    ])
    assert.equal(between.stdout, 'admin\n', between.stderr)
  })

  it('--insecure-skip-tls-verify replaces the certificate check; without trust the connection fails', async () => {
    const { server, token } = admin()
    const insecure = await stranger.run([
      'whoami',
      '--server',
      server,
      '--token',
      token,
      '--insecure-skip-tls-verify',
    ])
    assert.equal(insecure.stdout, 'admin\n', insecure.stderr)
    const untrusted = await stranger.run(['whoami', '--server', server, '--token', token])
    assert.equal(untrusted.code, 1)
    assert.match(untrusted.stderr, /^Unable to connect to the server: tls: /)
    const both = await stranger.run(['whoami', ...connection(), '--insecure-skip-tls-verify=true'])
    assert.equal(
      both.stderr,
      'error: specifying a root certificates file with the insecure flag is not allowed\n',
    )
  })

  it("--token overrides the kubeconfig user's token", async () => {
    const { server, caFile } = admin()
    // The OAuth login logged at 8: neither the password nor the token it got shows.
    const login = await alice.run([
      'login',
      server,
      '-u',
      'alice',
      '-p',
      'alice-pass',
      `--certificate-authority=${caFile}`,
      '-v=8',
    ])
    assert.equal(login.code, 0, login.stderr)
    assert.match(login.stderr, /\] GET \S+\/oauth\/authorize\?\S+\n/)
    assert.match(login.stderr, /\] {5}Authorization: Basic <masked>\n/)
    const saved = (
      parse(readFileSync(alice.config, 'utf8')) as { users: { user: { token: string } }[] }
    ).users[0]!.user.token
    for (const secret of [
      saved,
      'alice-pass',
      Buffer.from('alice:alice-pass').toString('base64'),
    ]) {
      assert.ok(!login.stderr.includes(secret), 'a credential was logged')
    }
    assert.equal((await alice.run(['whoami'])).stdout, 'alice\n')
    const asAdmin = await alice.run(['whoami', '--token', admin().token])
    assert.equal(asAdmin.stdout, 'admin\n', asAdmin.stderr)
    const bogus = await alice.run(['get', 'is', '--token', 'not-a-token'])
    assert.equal(bogus.code, 1)
    assert.match(bogus.stderr, /Unauthorized/)
  })

  it('--as and repeated --as-group act as another user, for those who may impersonate', async () => {
    const res = await stranger.run([
      '--as=alice',
      'whoami',
      '-o',
      'json',
      ...connection(),
      '--as-group',
      'devs',
      '--as-group=qa',
    ])
    assert.equal(res.code, 0, res.stderr)
    const user = JSON.parse(res.stdout) as { metadata: { name: string }; groups: string[] }
    assert.equal(user.metadata.name, 'alice')
    assert.deepEqual(user.groups, ['devs', 'qa', 'system:authenticated'])
    const denied = await alice.run(['get', 'is', '--as', 'admin'])
    assert.equal(denied.code, 1)
    assert.equal(
      denied.stderr,
      'Error from server (Forbidden): users "admin" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope\n',
    )
    const groupsOnly = await stranger.run(['whoami', ...connection(), '--as-group', 'devs'])
    assert.equal(
      groupsOnly.stderr,
      'error: requesting uid, groups or user-extra for  without impersonating a user\n',
    )
  })

  it('-v=6 logs one line per request as kubectl does, never the token', async () => {
    const { server, token } = admin()
    const res = await stranger.run(['get', 'is', '-n', 'default', ...connection(), '-v=6'])
    assert.equal(res.code, 0, res.stderr)
    const url = `${server}/apis/image.openshift.io/v1/namespaces/default/imagestreams?includeObject=Object`
    const lines = res.stderr.split('\n')
    assert.match(
      lines[0]!,
      new RegExp(
        `^I\\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d{6} +\\d+ round_trippers\\.go\\] GET ${url.replace(/[.?]/g, '\\$&')} 200 OK in \\d+ milliseconds$`,
      ),
    )
    assert.deepEqual(lines.slice(1), ['No resources found in default namespace.', ''])
    assert.ok(!res.stderr.includes(token))
    const failed = await stranger.run(['get', 'is', 'nothing', ...connection(), '--loglevel', '6'])
    assert.equal(failed.code, 1)
    assert.match(
      failed.stderr,
      / GET \S+\/namespaces\/default\/imagestreams\/nothing\S* 404 Not Found in \d+ milliseconds\n/,
    )
  })

  it('-v=8 adds headers and bodies, with the Authorization header masked', async () => {
    const { token } = admin()
    const res = await stranger.run(['whoami', ...connection(), '--v', '8'])
    assert.equal(res.code, 0, res.stderr)
    const messages = res.stderr
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.replace(/^I\d{4} \S+ +\d+ [\w.]+\] /, ''))
    assert.ok(messages.includes('    Authorization: Bearer <masked>'), res.stderr)
    assert.ok(messages.includes('Request Headers:'))
    assert.ok(messages.some((m) => /^Response Status: 201 Created in \d+ milliseconds$/.test(m)))
    assert.ok(
      messages.some((m) =>
        m.startsWith('"Response Body" body="{\\"kind\\":\\"SelfSubjectReview\\"'),
      ),
    )
    assert.ok(!res.stderr.includes(token), 'the token is never logged')
  })

  it('usage errors end as oc ends them', async () => {
    const tag = await stranger.run(['tag', ...connection()])
    assert.equal(
      tag.stderr,
      "error: you must specify a source and at least one destination or one or more tags to delete\nSee 'isctl tag -h' for help and examples\n",
    )
    const flag = await stranger.run(['get', 'is', '--nope'])
    assert.equal(flag.stderr, "Error: unknown flag: --nope\nSee 'isctl get --help' for usage.\n")
    const value = await stranger.run(['get', 'is', '--server'])
    assert.equal(
      value.stderr,
      "Error: flag needs an argument: --server\nSee 'isctl get --help' for usage.\n",
    )
  })

  it('version names the running script and both versions, as oc lays them out', async () => {
    const res = await stranger.run(['version', ...connection()])
    assert.equal(res.code, 0, res.stderr)
    assert.equal(
      res.stdout,
      `Client Version: ${VERSION}\nClient Path: ${realpathSync(ISCTL_BIN)}\nServer Version: ${VERSION}\nKubernetes Version: v1.32.0\n`,
    )
    const doc = JSON.parse(
      (await stranger.run(['version', '-o', 'json', ...connection()])).stdout,
    ) as Record<string, unknown>
    assert.equal(doc.clientPath, realpathSync(ISCTL_BIN))
    assert.equal(doc.openshiftVersion, VERSION)
  })
})
