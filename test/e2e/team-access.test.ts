/**
 * A team on one real `isctl serve --htpasswd`: the admin makes namespaces and grants roles with
 * `isctl policy`, alice, bob and carol log in with `isctl login -u` and work with their own
 * kubeconfigs through the built isctl and the real kubectl, carol requests a project and shares
 * it, and a CI service account's token pulls through the integrated registry with real skopeo.
 * Every check is what the user sees: exit codes and the server's exact refusals.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import {
  adminCredentials,
  insecureImport,
  pollUntil,
  registryAnswer,
  serverCertDir,
  skopeoInspect,
  succeeded,
  useRegistry,
  useServe,
  userSession,
  type CommandResult,
  type UserSession,
} from '../harness/index.js'

const PASSWORDS = { alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw' }

/** forbidden is kubectl's and isctl's line for a 403 a user gets on a collection or an object. */
const forbidden = (user: string, verb: string, resource: string, group: string, ns: string) =>
  `User "${user}" cannot ${verb} resource "${resource}" in API group "${group}" in the namespace "${ns}"`

describe('a team sharing isctl serve: users, roles, projects and a CI token', () => {
  const env = useRegistry({ auth: 'none' })
  const suite = useServe(() => [], { users: PASSWORDS })
  let server = ''
  let host = ''
  let certDir = ''
  const alice = userSession(suite)
  const bob = userSession(suite)
  const carol = userSession(suite)
  const admin = (args: readonly string[], input?: string) => succeeded(suite.kubectl(args, input))
  const source = () => env.fx.ociSingle.reference

  /** canI runs `kubectl auth can-i VERB RESOURCE -n NS` as `user`. */
  const canI = (user: UserSession, verb: string, resource: string, ns: string) =>
    user.kubectl(['auth', 'can-i', verb, resource, '-n', ns])

  /** granted waits until the server's RBAC cache, which follows the store's watch, says yes. */
  const granted = (user: UserSession, verb: string, resource: string, ns: string) =>
    pollUntil(
      `${verb} ${resource} in ${ns} to be allowed`,
      async () => (await canI(user, verb, resource, ns)).code === 0,
      { timeoutMs: 30_000 },
    )

  before(async () => {
    const creds = adminCredentials(suite.kubeconfig)
    server = creds.server
    host = new URL(server).host
    certDir = serverCertDir(suite.kubeconfig, join(suite.home, 'certs'))
    for (const [user, session] of [
      ['alice', alice],
      ['bob', bob],
      ['carol', carol],
    ] as const) {
      const res = await session.login(user, PASSWORDS[user])
      assert.equal(res.code, 0, res.stdout + res.stderr)
    }
  })

  it('the admin creates team-a and team-b and grants alice edit and bob view in team-a', async () => {
    assert.equal(await admin(['create', 'namespace', 'team-a']), 'namespace/team-a created\n')
    assert.equal(await admin(['create', 'namespace', 'team-b']), 'namespace/team-b created\n')
    const grants: [string, string][] = [
      ['edit', 'alice'],
      ['view', 'bob'],
    ]
    for (const [role, user] of grants) {
      assert.deepEqual(
        await suite.run(['policy', 'add-role-to-user', role, user, '-n', 'team-a']),
        {
          code: 0,
          stdout: `clusterrole.rbac.authorization.k8s.io/${role} added: "${user}"\n`,
          stderr: '',
        },
      )
    }
    await granted(alice, 'create', 'imagestreamimports', 'team-a')
    await granted(bob, 'list', 'imagestreams', 'team-a')
    assert.deepEqual(await bob.run(['project', 'team-a']), {
      code: 0,
      stdout: `Now using project "team-a" on server "${server}".\n`,
      stderr: '',
    })
  })

  it('alice imports an image into team-a and tags it', async () => {
    const res = await alice.run([
      '-n',
      'team-a',
      'import-image',
      'app',
      `--from=${source()}`,
      '--confirm',
      '--insecure',
    ])
    assert.equal(res.stderr, '')
    assert.equal(res.code, 0)
    assert.ok(res.stdout.startsWith('imagestream.image.openshift.io/app imported\n'), res.stdout)
    assert.deepEqual(await alice.run(['-n', 'team-a', 'tag', 'app:latest', 'app:stable']), {
      code: 0,
      stdout: `Tag app:stable set to app@${env.fx.ociSingle.digest}.\n`,
      stderr: '',
    })
    const tags = await alice.kubectl([
      'get',
      'is',
      'app',
      '-n',
      'team-a',
      '-o',
      'jsonpath={.status.tags[*].tag}',
    ])
    assert.deepEqual(tags, { code: 0, stdout: 'latest stable', stderr: '' })
  })

  it('alice is refused the same in team-b with the 403 the server writes', async () => {
    const imported = await alice.run([
      '-n',
      'team-b',
      'import-image',
      'app',
      `--from=${source()}`,
      '--confirm',
      '--insecure',
    ])
    assert.deepEqual(imported, {
      code: 1,
      stdout: '',
      stderr: `Error from server (Forbidden): imagestreams.image.openshift.io "app" is forbidden: ${forbidden('alice', 'get', 'imagestreams', 'image.openshift.io', 'team-b')}\n`,
    })
    const created = await alice.kubectl(
      ['create', '-f', '-'],
      insecureImport('team-b', 'app', 'latest', source()),
    )
    assert.deepEqual(created, {
      code: 1,
      stdout: '',
      stderr: `Error from server (Forbidden): error when creating "STDIN": imagestreamimports.image.openshift.io is forbidden: ${forbidden('alice', 'create', 'imagestreamimports', 'image.openshift.io', 'team-b')}\n`,
    })
    const tagged = await alice.run(['-n', 'team-b', 'tag', '--insecure', source(), 'app:latest'])
    assert.deepEqual(tagged, {
      code: 1,
      stdout: '',
      stderr: `Error from server (Forbidden): imagestreams.image.openshift.io "app" is forbidden: ${forbidden('alice', 'get', 'imagestreams', 'image.openshift.io', 'team-b')}\n`,
    })
  })

  it('bob lists the streams of team-a but may not import there or read its secrets', async () => {
    const list = await bob.kubectl(['get', 'is', '-n', 'team-a', '-o', 'name'])
    assert.deepEqual(list, {
      code: 0,
      stdout: 'imagestream.image.openshift.io/app\n',
      stderr: '',
    })
    const imported = await bob.run([
      '-n',
      'team-a',
      'import-image',
      'app',
      `--from=${source()}`,
      '--insecure',
    ])
    assert.deepEqual(imported, {
      code: 1,
      stdout: '',
      // A create's name is in its body, which the apiserver authorizes before reading.
      stderr: `Error from server (Forbidden): imagestreamimports.image.openshift.io is forbidden: ${forbidden('bob', 'create', 'imagestreamimports', 'image.openshift.io', 'team-a')}\n`,
    })
    const secrets = await bob.kubectl(['get', 'secrets', '-n', 'team-a'])
    assert.deepEqual(secrets, {
      code: 1,
      stdout: '',
      stderr: `Error from server (Forbidden): secrets is forbidden: ${forbidden('bob', 'list', 'secrets', '', 'team-a')}\n`,
    })
  })

  it('kubectl auth can-i answers yes and no for each of them in team-a and team-b', async () => {
    const yes: CommandResult = { code: 0, stdout: 'yes\n', stderr: '' }
    const no: CommandResult = { code: 1, stdout: 'no\n', stderr: '' }
    const table: [UserSession, string, string, string, CommandResult][] = [
      [alice, 'create', 'imagestreamimports', 'team-a', yes],
      [alice, 'get', 'secrets', 'team-a', yes],
      [alice, 'list', 'imagestreams', 'team-a', yes],
      [alice, 'create', 'imagestreamimports', 'team-b', no],
      [alice, 'get', 'secrets', 'team-b', no],
      [alice, 'list', 'imagestreams', 'team-b', no],
      [bob, 'create', 'imagestreamimports', 'team-a', no],
      [bob, 'get', 'secrets', 'team-a', no],
      [bob, 'list', 'imagestreams', 'team-a', yes],
      [bob, 'create', 'imagestreamimports', 'team-b', no],
      [bob, 'get', 'secrets', 'team-b', no],
      [bob, 'list', 'imagestreams', 'team-b', no],
      [carol, 'create', 'imagestreamimports', 'team-a', no],
      [carol, 'get', 'secrets', 'team-a', no],
      [carol, 'list', 'imagestreams', 'team-a', no],
      [carol, 'list', 'imagestreams', 'team-b', no],
    ]
    const users = new Map([
      [alice, 'alice'],
      [bob, 'bob'],
      [carol, 'carol'],
    ])
    for (const [user, verb, resource, ns, want] of table) {
      assert.deepEqual(
        await canI(user, verb, resource, ns),
        want,
        `${users.get(user)} can-i ${verb} ${resource} -n ${ns}`,
      )
    }
  })

  it('alice, an editor, may not create RoleBindings in team-a, not even to grant admin', async () => {
    const res = await alice.kubectl([
      'create',
      'rolebinding',
      'alice-admin',
      '--clusterrole=admin',
      '--user=alice',
      '-n',
      'team-a',
    ])
    assert.deepEqual(res, {
      code: 1,
      stdout: '',
      stderr: `error: failed to create rolebinding: rolebindings.rbac.authorization.k8s.io is forbidden: ${forbidden('alice', 'create', 'rolebindings', 'rbac.authorization.k8s.io', 'team-a')}\n`,
    })
  })

  it('carol requests carol-web, becomes its admin, makes a stream and lets bob view it', async () => {
    const created = await carol.run(['new-project', 'carol-web'])
    assert.equal(created.code, 0, created.stderr)
    assert.ok(
      created.stdout.startsWith(`Now using project "carol-web" on server "${server}".\n`),
      created.stdout,
    )
    await granted(carol, 'create', 'rolebindings', 'carol-web')
    assert.deepEqual(await carol.run(['tag', '--insecure', source(), 'web:1']), {
      code: 0,
      stdout: `Tag web:1 set to ${source()}.\n`,
      stderr: '',
    })
    assert.deepEqual(
      await carol.run(['policy', 'add-role-to-user', 'view', 'bob', '-n', 'carol-web']),
      { code: 0, stdout: 'clusterrole.rbac.authorization.k8s.io/view added: "bob"\n', stderr: '' },
    )
    await granted(bob, 'list', 'imagestreams', 'carol-web')
    assert.deepEqual(await bob.kubectl(['get', 'is', '-n', 'carol-web', '-o', 'name']), {
      code: 0,
      stdout: 'imagestream.image.openshift.io/web\n',
      stderr: '',
    })
  })

  it('carol, admin of carol-web, may not grant there what she does not hold', async () => {
    const res = await carol.kubectl([
      'create',
      'rolebinding',
      'root',
      '--clusterrole=cluster-admin',
      '--user=carol',
      '-n',
      'carol-web',
    ])
    assert.deepEqual(res, {
      code: 1,
      stdout: '',
      stderr:
        'error: failed to create rolebinding: rolebindings.rbac.authorization.k8s.io "root" is forbidden: user "carol" (groups=["system:authenticated:oauth" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n' +
        '{NonResourceURLs:["*"], Verbs:["*"]}\n',
    })
  })

  it('isctl projects as bob lists team-a and carol-web only', async () => {
    assert.deepEqual(await bob.run(['projects', '-q']), {
      code: 0,
      stdout: 'carol-web\nteam-a\n',
      stderr: '',
    })
    const res = await bob.run(['projects'])
    assert.equal(res.code, 0, res.stderr)
    assert.equal(
      res.stdout,
      "You have access to the following projects and can switch between them with 'isctl project <projectname>':\n\n" +
        '    carol-web\n' +
        '  * team-a\n\n' +
        `Using project "team-a" on server "${server}".\n`,
    )
  })

  describe('a CI service account pulling through the integrated registry', () => {
    let token = ''
    const pull = (ns: string) =>
      skopeoInspect(`${host}/${ns}/app:latest`, { certDir, creds: `any:${token}` })
    /** skopeoError is skopeo's fatal line for a refused manifest of `ns`, without its time. */
    const skopeoError = (ns: string, error: string) =>
      `level=fatal msg="Error parsing image name \\"docker://${host}/${ns}/app:latest\\": reading manifest latest in ${host}/${ns}/app: ${error}"\n`
    const withoutTime = (stderr: string) => stderr.replace(/^time="[^"]*" /, '')
    const manifest = (ns: string) =>
      registryAnswer(suite.kubeconfig, `/v2/${ns}/app/manifests/latest`, `Bearer ${token}`)

    before(async () => {
      // team-b gets the same stream, so its refusal is about the namespace, not a missing stream.
      await admin(['create', '-f', '-'], insecureImport('team-b', 'app', 'latest', source()))
      assert.equal(
        await admin(['create', 'sa', 'ci', '-n', 'team-a']),
        'serviceaccount/ci created\n',
      )
      token = (await admin(['create', 'token', 'ci', '-n', 'team-a'])).trim()
    })

    it("pulls team-a's imported image with the token (the namespace's image pullers)", async () => {
      const res = await pull('team-a')
      assert.equal(res.code, 0, res.stderr)
      assert.equal(
        (JSON.parse(res.stdout) as { config: { digest: string } }).config.digest,
        env.fx.ociSingle.config.digest,
      )
    })

    it('is refused in team-b with the registry’s 403 DENIED', async () => {
      const res = await pull('team-b')
      assert.equal(res.code, 1)
      assert.equal(res.stdout, '')
      assert.equal(withoutTime(res.stderr), skopeoError('team-b', 'denied'))
      assert.deepEqual(await manifest('team-b'), { status: 403, code: 'DENIED' })
    })

    it('is refused with 401 once the service account is deleted', async () => {
      assert.equal(
        await admin(['delete', 'sa', 'ci', '-n', 'team-a']),
        'serviceaccount "ci" deleted\n',
      )
      let last: CommandResult = { code: 0, stdout: '', stderr: '' }
      await pollUntil('the deleted account’s token to be refused', async () => {
        last = await pull('team-a')
        return last.code !== 0
      })
      assert.equal(last.code, 1)
      assert.equal(withoutTime(last.stderr), skopeoError('team-a', 'unauthorized'))
      assert.deepEqual(await manifest('team-a'), { status: 401, code: 'UNAUTHORIZED' })
    })
  })
})
