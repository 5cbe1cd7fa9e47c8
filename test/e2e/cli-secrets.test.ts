/**
 * `isctl create secret` and `isctl secrets link|unlink` against a real `isctl serve`, checked
 * with real kubectl on the same kubeconfig: a pull secret made three ways (docker-registry flags,
 * a generic secret from a login file, kubectl's own) with byte-identical `.dockerconfigjson`,
 * dry runs, server errors as kubectl prints them, linking to the `default` service account and
 * unlinking, every link error text, and an import through a Basic-auth registry that uses the
 * secret made from the login file.
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { useRegistry, useServe } from '../harness/index.js'

interface SecretJson {
  metadata: { name: string; namespace: string }
  type: string
  data: Record<string, string>
}

interface ServiceAccountJson {
  metadata: { resourceVersion: string }
  secrets?: { name: string }[]
  imagePullSecrets?: { name: string }[]
}

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8')

void describe('isctl create secret and secrets link|unlink', () => {
  const env = useRegistry({ auth: 'basic', users: { alice: 'alice-pass' } })
  const suite = useServe(() => ['--additional-trusted-ca', env.reg.ca!.caCertPath])
  let loginFile: string
  let loginJson: string

  const ok = async (res: Promise<{ code: number; stdout: string; stderr: string }>) => {
    const r = await res
    assert.equal(r.code, 0, r.stderr)
    return r.stdout
  }
  const getSecret = async (name: string, ns = 'default') =>
    JSON.parse(
      await ok(suite.kubectl(['get', 'secret', name, '-n', ns, '-o', 'json'])),
    ) as SecretJson
  const getSA = async () =>
    JSON.parse(
      await ok(suite.kubectl(['get', 'sa', 'default', '-o', 'json'])),
    ) as ServiceAccountJson

  before(() => {
    // What `podman login` / `docker login` leaves in ~/.docker/config.json.
    const auth = Buffer.from('alice:alice-pass').toString('base64')
    loginJson = `${JSON.stringify({ auths: { [env.reg.host]: { auth } } }, null, '\t')}\n`
    mkdirSync(join(suite.home, '.docker'), { recursive: true })
    loginFile = join(suite.home, '.docker', 'config.json')
    writeFileSync(loginFile, loginJson)
  })

  it('creates a pull secret from --docker-* flags with the JSON kubectl builds', async () => {
    const flags = [
      `--docker-server=${env.reg.host}`,
      '--docker-username=alice',
      '--docker-password=alice-pass',
      '--docker-email=alice@example.com',
    ]
    const res = await suite.run(['create', 'secret', 'docker-registry', 'pull-flags', ...flags])
    assert.deepEqual(res, { code: 0, stdout: 'secret/pull-flags created\n', stderr: '' })
    const kubectlBuilt = JSON.parse(
      await ok(
        suite.kubectl([
          'create',
          'secret',
          'docker-registry',
          'pull-flags',
          ...flags,
          '--dry-run=client',
          '-o',
          'json',
        ]),
      ),
    ) as SecretJson
    const stored = await getSecret('pull-flags')
    assert.equal(stored.type, 'kubernetes.io/dockerconfigjson')
    assert.deepEqual(stored.data, kubectlBuilt.data)
    assert.equal(
      decode(stored.data['.dockerconfigjson']!),
      `{"auths":{"${env.reg.host}":{"username":"alice","password":"alice-pass","email":"alice@example.com","auth":"YWxpY2U6YWxpY2UtcGFzcw=="}}}`,
    )
  })

  it('creates a pull secret from a login file, the documented way', async () => {
    const res = await suite.run([
      'create',
      'secret',
      'generic',
      'pull-file',
      `--from-file=.dockerconfigjson=${loginFile}`,
      '--type=kubernetes.io/dockerconfigjson',
    ])
    assert.deepEqual(res, { code: 0, stdout: 'secret/pull-file created\n', stderr: '' })
    const stored = await getSecret('pull-file')
    assert.equal(stored.type, 'kubernetes.io/dockerconfigjson')
    assert.deepEqual(Object.keys(stored.data), ['.dockerconfigjson'])
    assert.equal(decode(stored.data['.dockerconfigjson']!), loginJson)
  })

  it('stores the same secret kubectl creates', async () => {
    const flags = [
      `--docker-server=${env.reg.host}`,
      '--docker-username=alice',
      '--docker-password=p@ss<&>"',
    ]
    await ok(suite.kubectl(['create', 'secret', 'docker-registry', 'pull-kubectl', ...flags]))
    await ok(suite.run(['create', 'secret', 'docker-registry', 'pull-isctl', ...flags]))
    const [theirs, ours] = [await getSecret('pull-kubectl'), await getSecret('pull-isctl')]
    assert.deepEqual(ours.data, theirs.data)
    assert.equal(ours.type, theirs.type)
  })

  it('prints dry runs as kubectl does and stores nothing', async () => {
    const args = ['create', 'secret', 'generic', 'dry', '--from-literal=k=v']
    assert.deepEqual(await suite.run([...args, '--dry-run=server']), {
      code: 0,
      stdout: 'secret/dry created (server dry run)\n',
      stderr: '',
    })
    assert.deepEqual(await suite.run([...args, '--dry-run=client']), {
      code: 0,
      stdout: 'secret/dry created (dry run)\n',
      stderr: '',
    })
    for (const format of ['json', 'yaml']) {
      const want = await ok(suite.kubectl([...args, '--dry-run=client', '-o', format]))
      assert.equal(await ok(suite.run([...args, '--dry-run=client', '-o', format])), want)
    }
    const gone = await suite.kubectl(['get', 'secret', 'dry'])
    assert.equal(gone.stderr, 'Error from server (NotFound): secrets "dry" not found\n')
  })

  it('prints the created object as kubectl get shows it', async () => {
    const created = await ok(
      suite.run(['create', 'secret', 'generic', 'shown', '--from-literal=k=v', '-o', 'yaml']),
    )
    const stored = await ok(suite.kubectl(['get', 'secret', 'shown', '-o', 'yaml']))
    assert.equal(created, stored)
    assert.equal(
      await ok(suite.run(['create', 'secret', 'generic', 'named', '-o', 'name'])),
      'secret/named\n',
    )
  })

  it('reports server errors in kubectl`s words', async () => {
    const cases = [
      [
        'create',
        'secret',
        'docker-registry',
        'pull-flags',
        '--docker-username=a',
        '--docker-password=b',
      ],
      [
        'create',
        'secret',
        'generic',
        'bad',
        '--from-literal=a=b',
        '--type=kubernetes.io/dockerconfigjson',
      ],
      ['create', 'secret', 'generic', 'Bad_Name', '--from-literal=a=b'],
      ['create', 'secret', 'generic', 'x', '-n', 'no-such-namespace'],
    ]
    const want = [
      'error: failed to create secret secrets "pull-flags" already exists\n',
      'error: failed to create secret Secret "bad" is invalid: data[.dockerconfigjson]: Required value\n',
      undefined,
      'error: failed to create secret namespaces "no-such-namespace" not found\n',
    ]
    for (const [i, args] of cases.entries()) {
      const [ours, theirs] = [await suite.run(args), await suite.kubectl(args)]
      assert.deepEqual(ours, { code: 1, stdout: '', stderr: theirs.stderr }, args.join(' '))
      if (want[i] !== undefined) assert.equal(ours.stderr, want[i])
    }
  })

  it('refuses bad flags with kubectl messages', async () => {
    const cases: [string[], string][] = [
      [
        ['create', 'secret', 'docker-registry', 'x', '--docker-username=a'],
        'error: either --from-file or the combination of --docker-username, --docker-password and --docker-server is required\n',
      ],
      [
        ['create', 'secret', 'generic', 'x', '--from-literal=a=1', '--from-literal=a=2'],
        'error: cannot add key a, another key by that name already exists\n',
      ],
      [
        ['create', 'secret', 'generic'],
        "error: exactly one NAME is required, got 0\nSee 'isctl create secret generic -h' for help and examples\n",
      ],
    ]
    for (const [args, stderr] of cases) {
      assert.deepEqual(await suite.run(args), { code: 1, stdout: '', stderr }, args.join(' '))
    }
  })

  it('links a pull secret to the default service account, once', async () => {
    const res = await suite.run(['secrets', 'link', 'default', 'pull-flags', '--for=pull'])
    assert.deepEqual(res, { code: 0, stdout: '', stderr: '' })
    const sa = await getSA()
    assert.deepEqual(sa.imagePullSecrets, [{ name: 'pull-flags' }])
    assert.equal(sa.secrets, undefined)
    const again = await suite.run(['secrets', 'link', 'default', 'secret/pull-flags', '--for=PULL'])
    assert.deepEqual(again, { code: 0, stdout: '', stderr: '' })
    assert.equal((await getSA()).metadata.resourceVersion, sa.metadata.resourceVersion)
  })

  it('links to both lists, in sorted order', async () => {
    const res = await suite.run([
      'secrets',
      'link',
      'default',
      'secrets/pull-isctl',
      'pull-file',
      '--for=pull,mount',
    ])
    assert.deepEqual(res, { code: 0, stdout: '', stderr: '' })
    const sa = await getSA()
    assert.deepEqual(sa.imagePullSecrets, [
      { name: 'pull-flags' },
      { name: 'pull-file' },
      { name: 'pull-isctl' },
    ])
    assert.deepEqual(sa.secrets, [{ name: 'pull-file' }, { name: 'pull-isctl' }])
  })

  it('reports link errors as oc does', async () => {
    const cases: [string[], string][] = [
      [
        ['default', 'pull-flags', 'nope', '--for=pull'],
        'secret "nope" not found\nerror: Some secrets could not be linked\n',
      ],
      [['default', 'nope'], 'secret "nope" not found\nerror: No valid secrets found\n'],
      [['default', 'pull-flags', '--for=bogus'], 'error: unknown for: bogus\n'],
      [['default'], 'error: must have service account name and at least one secret name\n'],
      [['default', 'pod/x'], 'error: expected resource of type secret, got "pod/x"\n'],
      [
        ['ghost', 'pull-flags'],
        'Error from server (NotFound): serviceaccounts "ghost" not found\n',
      ],
    ]
    for (const [args, stderr] of cases) {
      const res = await suite.run(['secrets', 'link', ...args])
      assert.deepEqual(res, { code: 1, stdout: '', stderr }, args.join(' '))
    }
  })

  it('unlinks, and says so when nothing was linked', async () => {
    const res = await suite.run(['secrets', 'unlink', 'default', 'pull-isctl', 'pull-file'])
    assert.deepEqual(res, { code: 0, stdout: 'serviceaccount/default updated\n', stderr: '' })
    const sa = await getSA()
    assert.deepEqual(sa.imagePullSecrets, [{ name: 'pull-flags' }])
    assert.equal(sa.secrets, undefined)
    assert.deepEqual(await suite.run(['secrets', 'unlink', 'default', 'pull-file']), {
      code: 1,
      stdout: '',
      stderr: 'error: No valid secrets found or secrets not linked to service account\n',
    })
  })

  it('unlinks a deleted secret, reporting it as oc does', async () => {
    await ok(suite.kubectl(['delete', 'secret', 'pull-flags']))
    assert.deepEqual(await suite.run(['secrets', 'unlink', 'default', 'pull-flags']), {
      code: 1,
      stdout: '',
      stderr:
        'secret "pull-flags" not found\nerror: Unlinked deleted secrets from default/default service account\n',
    })
    assert.equal((await getSA()).imagePullSecrets, undefined)
  })

  it('imports through a Basic-auth registry with the secret made from the login file', async () => {
    await ok(suite.kubectl(['create', 'namespace', 'team-a']))
    await ok(
      suite.run([
        'create',
        'secret',
        'generic',
        'registry-login',
        '-n',
        'team-a',
        `--from-file=.dockerconfigjson=${loginFile}`,
        '--type=kubernetes.io/dockerconfigjson',
      ]),
    )
    const image = env.fx.ociSingle
    const out = JSON.parse(
      await ok(
        suite.kubectl(
          ['create', '-n', 'team-a', '-o', 'json', '-f', '-'],
          JSON.stringify({
            apiVersion: 'image.openshift.io/v1',
            kind: 'ImageStreamImport',
            metadata: { name: 'app' },
            spec: {
              import: true,
              images: [
                { from: { kind: 'DockerImage', name: image.reference }, to: { name: 'v1' } },
              ],
            },
          }),
        ),
      ),
    ) as {
      status: {
        images: {
          status: { status: string; message: string }
          image?: { metadata: { name: string } }
        }[]
      }
    }
    const result = out.status.images[0]!
    assert.equal(result.status.status, 'Success', result.status.message)
    assert.match(result.status.message, /secret "team-a\/registry-login"/)
    assert.equal(result.image?.metadata.name, image.digest)
  })
})
