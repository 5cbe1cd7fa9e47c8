/**
 * The README walkthrough, step by step, as a user types it: a real `isctl serve`, three real
 * registries (HTTPS + Basic auth, HTTPS + bearer tokens, plain HTTP) and the built `isctl` with
 * its own kubeconfig in a fresh HOME. Each step asserts the output the README shows (hosts,
 * ports, digests and ages normalised) and the exit code.
 */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import {
  adminCredentials,
  isctl,
  kubectl,
  useRegistry,
  useServe,
  type CommandResult,
} from '../harness/index.js'

/** normalise puts the README's placeholders where a run differs from the README. */
function normalise(text: string, hosts: Record<string, string>): string {
  let out = text
  for (const [host, name] of Object.entries(hosts)) out = out.split(host).join(name)
  return out
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, '<time>')
    .replace(/(Less than a second|About an? \w+|\d+ \w+) ago/g, '<age> ago')
    .replace(/sha256:[0-9a-f]{64}/g, (d) => `sha256:${d.slice(7, 19)}`)
}

/** containing matches `text` literally, wherever it is. */
function containing(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
}

describe('README walkthrough', () => {
  const basic = useRegistry({ auth: 'basic', users: { alice: 'alice-pass' } })
  const token = useRegistry({
    auth: 'token',
    token: { users: { bob: { password: 'bob-pass', grants: { 'multi/*': ['pull'] } } } },
  })
  const plain = useRegistry({ auth: 'none' })
  const suite = useServe(() => {
    // One trust file for both HTTPS registries, as an operator would assemble it.
    const cas = join(basic.reg.ca!.certDir, '..', 'walkthrough-cas.pem')
    writeFileSync(
      cas,
      readFileSync(basic.reg.ca!.caCertPath, 'utf8') +
        readFileSync(token.reg.ca!.caCertPath, 'utf8'),
    )
    return ['--additional-trusted-ca', cas, '--platform', 'linux/amd64']
  })
  const home = () => join(suite.home, 'walkthrough')
  const hosts = () => ({
    [basic.reg.host]: 'registry.example.com',
    [token.reg.host]: 'quay.example.com',
    [plain.reg.host]: 'plain.example.com:5000',
    [new URL(suite.server.address).host]: '127.0.0.1:8443',
  })
  /** user runs isctl as the walkthrough's user: their own ~/.kube/config, no KUBECONFIG. */
  const user = async (args: readonly string[]): Promise<CommandResult> => {
    const res = await isctl(args, { home: home() })
    return {
      ...res,
      stdout: normalise(res.stdout, hosts()),
      stderr: normalise(res.stderr, hosts()),
    }
  }
  const expect = async (
    args: readonly string[],
    want: { code?: number; stdout?: string | RegExp; stderr?: string | RegExp },
  ) => {
    const res = await user(args)
    const label = `isctl ${args.join(' ')}\n${res.stdout}${res.stderr}`
    assert.equal(res.code, want.code ?? 0, label)
    for (const stream of ['stdout', 'stderr'] as const) {
      const w = want[stream] ?? (stream === 'stderr' ? '' : undefined)
      if (typeof w === 'string') assert.equal(res[stream], w, label)
      else if (w) assert.match(res[stream], w, label)
    }
    return res
  }

  it('1. logs in with the admin token and switches to a new project', async () => {
    const admin = adminCredentials(suite.kubeconfig)
    const server = suite.server.address
    const ca = admin.caFile
    await expect(['login', server, `--token=${admin.token}`, `--certificate-authority=${ca}`], {
      stdout: /^Logged into "https:\/\/127\.0\.0\.1:8443" as "admin" using the token provided\.\n/,
    })
    await expect(['whoami'], { stdout: 'admin\n' })
    const created = await suite.kubectl(['create', 'namespace', 'demo'])
    assert.equal(created.code, 0, created.stderr)
    await expect(['project', 'demo'], {
      stdout: 'Now using project "demo" on server "https://127.0.0.1:8443".\n',
    })
  })

  it('2. creates pull secrets three ways and links one for pulls', async () => {
    await expect(
      [
        'create',
        'secret',
        'docker-registry',
        'registry-pull',
        `--docker-server=${basic.reg.host}`,
        '--docker-username=alice',
        '--docker-password=alice-pass',
      ],
      { stdout: 'secret/registry-pull created\n' },
    )
    const auth = join(suite.home, 'auth.json')
    writeFileSync(
      auth,
      JSON.stringify({
        auths: { [token.reg.host]: { auth: Buffer.from('bob:bob-pass').toString('base64') } },
      }),
    )
    await expect(
      [
        'create',
        'secret',
        'generic',
        'quay-pull',
        `--from-file=.dockerconfigjson=${auth}`,
        '--type=kubernetes.io/dockerconfigjson',
      ],
      { stdout: 'secret/quay-pull created\n' },
    )
    const third = await suite.kubectl([
      'create',
      'secret',
      'docker-registry',
      'plain-pull',
      '-n',
      'demo',
      `--docker-server=${plain.reg.host}`,
      '--docker-username=nobody',
      '--docker-password=unused',
    ])
    assert.equal(third.code, 0, third.stderr)
    await expect(['secrets', 'link', 'default', 'registry-pull', '--for=pull'], { stdout: '' })
    await expect(['get', 'sa', 'default', '-o', 'yaml'], {
      stdout: /\nimagePullSecrets:\n- name: registry-pull\n/,
    })
    await expect(['secrets', 'link', 'default', 'missing-secret', '--for=pull'], {
      code: 1,
      stderr: 'secret "missing-secret" not found\nerror: No valid secrets found\n',
    })
  })

  it('3. imports a private image through the pull secret', async () => {
    await expect(['import-image', `${basic.reg.host}/single/oci-tool:1.0`], {
      code: 1,
      stderr:
        'error: no image stream named "oci-tool" exists, pass --confirm to create and import\n',
    })
    const res = await expect(
      ['import-image', 'tool:1.0', `--from=${basic.reg.host}/single/oci-tool:1.0`, '--confirm'],
      { stdout: /^imagestream\.image\.openshift\.io\/tool imported\n\nName:\t+tool\n/ },
    )
    assert.match(
      res.stdout,
      containing('\n1.0\n  tagged from registry.example.com/single/oci-tool:1.0\n'),
    )
    assert.match(res.stdout, /\nImage Name:\s+tool:1\.0\n/)
    assert.match(res.stdout, /\nArch:\s+amd64\n/)
    await expect(['get', 'istag'], {
      stdout:
        /^NAME\s+IMAGE REFERENCE\s+UPDATED\ntool:1\.0\s+registry\.example\.com\/single\/oci-tool@sha256:/,
    })
  })

  it('4. imports a manifest list whole, switches it to one image and back', async () => {
    const list = token.fx.ociIndex
    const from = `--from=${token.reg.host}/multi/oci-app:v1`
    const whole = await expect(
      ['import-image', 'app:v1', from, '--import-mode=PreserveOriginal', '--confirm'],
      { stdout: /\nArch:\s+<none>\n/ },
    )
    assert.match(
      whole.stdout,
      /\nManifests:\s+linux\/amd64\s+sha256:\w+\n\s+linux\/arm64\/v8\s+sha256:/,
    )
    await expect(['import-image', 'app:v1'], { stdout: /\nArch:\s+<none>\n/ })
    const amd64 = list.children.find((c) => c.platform.architecture === 'amd64')!.digest
    const one = await expect(['import-image', 'app:v1', from, '--confirm'], {
      stdout: /\nArch:\s+amd64\n/,
    })
    assert.ok(one.stdout.includes(`sha256:${amd64.slice(7, 19)}`), one.stdout)
    await expect(['import-image', 'app:v1'], { stdout: /\nArch:\s+amd64\n/ })
    await expect(['import-image', 'app:v1', '--import-mode=PreserveOriginal'], {
      stdout: /\nArch:\s+<none>\n/,
    })
    await expect(['import-image', 'app:v1', '--import-mode=preserve'], {
      code: 1,
      stderr: 'error: valid ImportMode values are Legacy or PreserveOriginal\n',
    })
    await expect(['import-image', 'app:v1', '--all'], {
      code: 1,
      stderr: 'error: cannot specify a tag "app:v1" as well as --all\n',
    })
  })

  it('5. tags an image for pull-through with the local reference policy', async () => {
    await expect(
      [
        'tag',
        '--source=docker',
        `${basic.reg.host}/single/docker-tool:1.0`,
        'tool:local',
        '--reference-policy=local',
      ],
      { stdout: 'Tag tool:local set to registry.example.com/single/docker-tool:1.0.\n' },
    )
    await expect(['describe', 'is', 'tool'], {
      stdout: containing(
        '\nlocal\n  tagged from registry.example.com/single/docker-tool:1.0\n    prefer registry pullthrough when referencing this tag\n',
      ),
    })
  })

  it('6. follows a moving tag with a scheduled import', async () => {
    await expect(['tag', `${basic.reg.host}/single/oci-tool:1.0`, 'tool:latest', '--scheduled'], {
      stdout:
        'Tag tool:latest set to import registry.example.com/single/oci-tool:1.0 periodically.\n',
    })
    await expect(['describe', 'is', 'tool'], {
      stdout: containing(
        '\nlatest\n  updates automatically from registry registry.example.com/single/oci-tool:1.0\n',
      ),
    })
  })

  it('7. imports from a plain-HTTP registry only when told it is insecure', async () => {
    const failed = await expect(
      ['import-image', 'plain:1.0', `--from=${plain.reg.host}/single/oci-tool:1.0`, '--confirm'],
      { code: 1, stderr: /^error: tag 1\.0 failed: / },
    )
    assert.match(failed.stdout, /^imagestream\.image\.openshift\.io\/plain imported with errors\n/)
    const res = await expect(
      ['import-image', 'plain:1.0', `--from=${plain.reg.host}/single/oci-tool:1.0`, '--insecure'],
      { stdout: /^imagestream\.image\.openshift\.io\/plain imported\n/ },
    )
    assert.match(res.stdout, containing('\n    will use insecure HTTPS or HTTP connections\n'))
    // The same image was imported from registry.example.com first; this tag pulls from here.
    assert.match(res.stdout, /\nDocker Image:\s+plain\.example\.com:5000\/single\/oci-tool@sha256:/)
  })

  it('8. kubectl on the same kubeconfig sees the same streams in the same project', async () => {
    const ours = await isctl(['get', 'is', '-o', 'name'], { home: home() })
    const theirs = await kubectl(['get', 'is', '-o', 'name'], {
      kubeconfig: join(home(), '.kube', 'config'),
      cacheDir: home(),
    })
    assert.equal(theirs.code, 0, theirs.stderr)
    assert.equal(ours.stdout, theirs.stdout)
    assert.equal(
      ours.stdout,
      'imagestream.image.openshift.io/app\nimagestream.image.openshift.io/plain\nimagestream.image.openshift.io/tool\n',
    )
  })
})
