/**
 * The client configuration verbs against a real `isctl serve`: `isctl login` into a new
 * ~/.kube/config with the token and CA of the server's admin.kubeconfig, `whoami`, `project`
 * and `version`, the global flags before and after the verb, and isctl and the real kubectl
 * taking turns on the same kubeconfig.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parse } from 'yaml'
import {
  adminCredentials,
  ISCTL_BIN,
  isctl,
  kubectl,
  makeTempDir,
  removeTempDir,
  useServe,
} from '../harness/index.js'

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
).version
/** What `isctl version` prints first: the client's version and where it runs from. */
const CLIENT = `Client Version: ${VERSION}\nClient Path: ${realpathSync(ISCTL_BIN)}\n`

describe('isctl login, whoami, project and version against isctl serve', () => {
  const suite = useServe()
  let home: string
  let server: string
  let token: string
  let caFile: string
  let cluster: string
  let config: string

  before(() => {
    const admin = adminCredentials(suite.kubeconfig)
    server = admin.server
    token = admin.token
    home = makeTempDir('cli-session')
    mkdirSync(join(home, 'cache'))
    caFile = join(home, 'ca.crt')
    writeFileSync(caFile, admin.caPem)
    cluster = new URL(server).host.replace(/\./g, '-')
    config = join(home, '.kube', 'config')
  })
  after(() => removeTempDir(home))

  /** isctl as a user whose only configuration is ~/.kube/config in `home`. */
  const me = (args: readonly string[]) => isctl(args, { home })
  const ok = async (args: readonly string[]) => {
    const res = await me(args)
    assert.equal(res.code, 0, `isctl ${args.join(' ')}: ${res.stderr}`)
    assert.equal(res.stderr, '')
    return res.stdout
  }
  const kc = async (args: readonly string[]) => {
    const res = await kubectl(args, { kubeconfig: config, cacheDir: join(home, 'cache') })
    assert.equal(res.code, 0, `kubectl ${args.join(' ')}: ${res.stderr}`)
    return res.stdout
  }
  const kubectlNamespace = () => kc(['config', 'view', '--minify', '-o', 'jsonpath={..namespace}'])

  it('version without any configuration prints the client only', async () => {
    assert.equal(await ok(['version']), CLIENT)
  })

  it('whoami without any configuration says how to log in', async () => {
    const res = await me(['whoami'])
    assert.equal(res.code, 1)
    assert.match(res.stderr, /^error: no server is configured: log in with "isctl login SERVER/)
  })

  it('login to a server whose CA is not trusted asks for --certificate-authority', async () => {
    const res = await me(['login', server, `--token=${token}`])
    assert.equal(res.code, 1)
    assert.equal(res.stdout, '')
    assert.equal(
      res.stderr,
      'error: The server uses a certificate signed by unknown authority. You may need to use the --certificate-authority flag to provide the path to a certificate file for the certificate authority, or --insecure-skip-tls-verify to bypass the certificate check and use insecure connections.\n',
    )
    assert.ok(!existsSync(config))
  })

  it('login with a bad token fails and writes nothing', async () => {
    const res = await me(['login', server, '--token=wrong', `--certificate-authority=${caFile}`])
    assert.equal(res.code, 1)
    assert.equal(res.stderr, 'error: The token provided is invalid or expired.\n')
    assert.ok(!existsSync(config))
  })

  it("login writes oc's cluster, user and context into a new ~/.kube/config", async () => {
    assert.equal(
      await ok(['login', server, `--token=${token}`, `--certificate-authority=${caFile}`]),
      `Logged into "${server}" as "admin" using the token provided.\n\n` +
        'You have one project on this server: "default"\n\nUsing project "default".\n' +
        "Welcome! See 'isctl help' to get started.\n",
    )
    assert.equal(statSync(config).mode & 0o777, 0o600)
    const doc = parse(readFileSync(config, 'utf8')) as Record<string, unknown>
    assert.deepEqual(
      {
        clusters: doc.clusters,
        users: doc.users,
        contexts: doc.contexts,
        current: doc['current-context'],
      },
      {
        clusters: [{ name: cluster, cluster: { server, 'certificate-authority': caFile } }],
        users: [{ name: `admin/${cluster}`, user: { token } }],
        contexts: [
          {
            name: `default/${cluster}/admin`,
            context: { cluster, user: `admin/${cluster}`, namespace: 'default' },
          },
        ],
        current: `default/${cluster}/admin`,
      },
    )
  })

  it('whoami prints the user, and the session with --show-*', async () => {
    assert.equal(await ok(['whoami']), 'admin\n')
    assert.equal(await ok(['whoami', '--show-server']), `${server}\n`)
    assert.equal(await ok(['whoami', '--show-context']), `default/${cluster}/admin\n`)
    assert.equal(await ok(['whoami', '-t']), `${token}\n`)
    assert.deepEqual(JSON.parse(await ok(['whoami', '-o', 'json'])), {
      apiVersion: 'user.openshift.io/v1',
      groups: ['system:masters', 'system:authenticated'],
      identities: null,
      kind: 'User',
      metadata: { creationTimestamp: null, name: 'admin' },
    })
  })

  it('kubectl auth whoami works with the kubeconfig isctl wrote', async () => {
    assert.equal(
      await kc(['auth', 'whoami']),
      'ATTRIBUTE   VALUE\nUsername    admin\nGroups      [system:masters system:authenticated]\n',
    )
  })

  it('version shows the client and the server', async () => {
    assert.equal(
      await ok(['version']),
      `${CLIENT}Server Version: ${VERSION}\nKubernetes Version: v1.32.0\n`,
    )
    assert.equal(await ok(['version', '--client']), CLIENT)
    const doc = JSON.parse(await ok(['version', '-o', 'json'])) as Record<
      string,
      Record<string, string>
    >
    assert.equal(doc.clientVersion?.gitVersion, VERSION)
    assert.equal(doc.serverVersion?.gitVersion, 'v1.32.0')
  })

  it('project shows the current project', async () => {
    assert.equal(await ok(['project']), `Using project "default" on server "${server}".\n`)
    assert.equal(await ok(['project', '-q']), 'default\n')
  })

  it('a namespace created with kubectl is a project isctl switches to, and kubectl follows', async () => {
    await kc(['create', 'namespace', 'team-a'])
    await kc(['create', 'secret', 'generic', 'seen', '-n', 'team-a', '--from-literal=k=v'])
    assert.equal(
      await ok(['project', 'team-a']),
      `Now using project "team-a" on server "${server}".\n`,
    )
    assert.equal(await kubectlNamespace(), 'team-a')
    // kubectl now works in team-a without -n.
    assert.equal(await kc(['get', 'secrets', '-o', 'name']), 'secret/seen\n')
    assert.equal(
      await ok(['project', 'team-a']),
      `Already on project "team-a" on server "${server}".\n`,
    )
    assert.equal(await ok(['whoami', '--show-context']), `team-a/${cluster}/admin\n`)
  })

  it('a namespace kubectl switches to is the project isctl shows', async () => {
    await kc(['config', 'set-context', '--current', '--namespace=default'])
    assert.equal(await ok(['project', '-q']), 'default\n')
    assert.equal(
      await ok(['project']),
      `Using project "default" from context named "team-a/${cluster}/admin" on server "${server}".\n`,
    )
    await kc(['config', 'set-context', '--current', '--namespace=team-a'])
  })

  it('a project that does not exist is an error listing the ones that do', async () => {
    const res = await me(['project', 'nope'])
    assert.equal(res.code, 1)
    assert.equal(
      res.stderr,
      `error: A project named "nope" does not exist on "${server}".\nYour projects are:\n* default\n* team-a\n`,
    )
    assert.equal(await kubectlNamespace(), 'team-a')
  })

  for (const flags of [
    ['-n', 'team-b', 'whoami'],
    ['whoami', '-n', 'team-b'],
    ['--namespace', 'team-b', 'whoami'],
    ['whoami', '--namespace=team-b'],
  ]) {
    it(`accepts isctl ${flags.join(' ')}`, async () => {
      assert.equal(await ok(flags), 'admin\n')
    })
  }

  it('--context picks another context, before or after the verb', async () => {
    const ctx = `default/${cluster}/admin`
    for (const args of [
      ['--context', ctx, 'project'],
      ['project', `--context=${ctx}`],
    ]) {
      assert.equal(await ok(args), `Using project "default" on server "${server}".\n`)
    }
    assert.equal(await ok(['whoami', '--show-context', '--context', ctx]), `${ctx}\n`)
    const res = await me(['whoami', '--context', 'nope'])
    assert.equal(res.code, 1)
    assert.equal(res.stderr, 'error: context was not found for specified context: nope\n')
  })

  it('login again lists the projects and keeps the current one', async () => {
    assert.equal(
      await ok(['login', server, `--token=${token}`]),
      `Logged into "${server}" as "admin" using the token provided.\n\n` +
        "You have access to the following projects and can switch between them with 'isctl project <projectname>':\n\n" +
        '    default\n  * team-a\n\nUsing project "team-a".\n',
    )
    assert.equal(await kubectlNamespace(), 'team-a')
    const doc = parse(readFileSync(config, 'utf8')) as { contexts: unknown[] }
    assert.equal(doc.contexts.length, 2, 'the existing context is reused, not duplicated')
  })

  it('project NAME also takes a context name', async () => {
    const ctx = `default/${cluster}/admin`
    assert.equal(
      await ok(['project', ctx]),
      `Now using project "default" from context named "${ctx}" on server "${server}".\n`,
    )
    assert.equal(await kubectlNamespace(), 'default')
  })

  it('version against a server that is down prints the client and the connection error', async () => {
    const down = join(home, 'down.kubeconfig')
    writeFileSync(
      down,
      'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\n' +
        'contexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n',
    )
    const res = await me(['version', '--kubeconfig', down])
    assert.equal(res.code, 1)
    assert.equal(res.stdout, CLIENT)
    assert.match(res.stderr, /^Unable to connect to the server: .*ECONNREFUSED/)
  })

  it('kubectl auth whoami works on the admin kubeconfig too', async () => {
    const res = await suite.kubectl([
      'auth',
      'whoami',
      '-o',
      'jsonpath={.status.userInfo.username}',
    ])
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout, 'admin')
  })
})
