/**
 * The resource API end to end: the built `isctl serve` driven by real kubectl 1.32 through the
 * everyday workflow of docs/kubernetes-api.md: namespaces, pull secrets (kubectl sends
 * these as protobuf), service accounts, an ImageStream applied from an OpenShift-style manifest,
 * get (server-side Tables), -o yaml, describe, patches (and a no-op one), a watch that sees a
 * change made by another kubectl, delete, and the error texts kubectl prints. The suites run the
 * compiled CLI (npm test builds it first). No timing assertions: every wait polls for an outcome.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parse } from 'yaml'
import {
  ISCTL_BIN,
  KUBECTL,
  kubectl,
  makeTempDir,
  removeTempDir,
  startServe,
  stopServe,
  type ServeProcess,
} from '../harness/index.js'
import { pollUntil, trackChild } from '../harness/process.js'

// Real kubectl on a busy 2-core machine: every wait is generous, and none is asserted.
const WAIT_MS = 60_000

/** The ImageStream as OpenShift documents it: a scheduled DockerImage tag, PreserveOriginal, Local. */
const IMAGE_STREAM = `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: app
  namespace: team-a
spec:
  lookupPolicy:
    local: false
  tags:
  - name: latest
    from:
      kind: DockerImage
      name: 127.0.0.1:5000/team-a/app:latest
    importPolicy:
      scheduled: true
      importMode: PreserveOriginal
    referencePolicy:
      type: Local
`

interface Listed {
  kind: string
  items: {
    metadata: { name: string; generation?: number }
    spec: {
      lookupPolicy: { local: boolean }
      tags: {
        name: string
        generation: number
        importPolicy: { scheduled?: boolean; importMode?: string }
        referencePolicy: { type: string }
      }[]
    }
    status: { dockerImageRepository: string }
  }[]
}

/** tableLines splits kubectl's table output into header and rows of cells. */
function tableLines(stdout: string): { header: string; rows: string[][] } {
  const [header = '', ...rest] = stdout.trimEnd().split('\n')
  return { header, rows: rest.map((l) => l.trim().split(/\s{3,}/)) }
}

describe('kubectl against isctl serve: the resource workflow', () => {
  let dir: string
  let server: ServeProcess
  let registryHost: string
  const validate: string[] = []
  const cacheDir = () => join(dir, 'cache')
  const k = (args: readonly string[], input?: string) =>
    kubectl(args, {
      kubeconfig: server.kubeconfig,
      cacheDir: cacheDir(),
      ...(input !== undefined && { input }),
    })
  const ok = async (args: readonly string[], input?: string) => {
    const res = await k(args, input)
    assert.equal(res.code, 0, `kubectl ${args.join(' ')}:\n${res.stderr}`)
    return res.stdout
  }

  before(async () => {
    assert.ok(
      existsSync(ISCTL_BIN),
      `${ISCTL_BIN} is missing: build first (npx tsc -p tsconfig.build.json)`,
    )
    dir = makeTempDir('kubectl-resources')
    server = await startServe(join(dir, 'data'))
    registryHost = new URL(server.address).host
    // `apply -f` validates against /openapi/v3 by default; without it, --validate=false is the way.
    const openapi = await k(['get', '--raw', '/openapi/v3'])
    if (openapi.code !== 0) validate.push('--validate=false')
  })
  after(async () => {
    if (server) await stopServe(server, 'SIGKILL')
    if (dir) await removeTempDir(dir)
  })

  it('kubectl create namespace', async () => {
    assert.equal(await ok(['create', 'namespace', 'team-a']), 'namespace/team-a created\n')
  })

  it('kubectl create secret docker-registry (a protobuf body)', async () => {
    const out = await ok([
      'create',
      'secret',
      'docker-registry',
      'pull',
      '--docker-server=127.0.0.1:5000',
      '--docker-username=u',
      '--docker-password=p',
      '-n',
      'team-a',
    ])
    assert.equal(out, 'secret/pull created\n')
    const secret = JSON.parse(
      await ok(['get', 'secret', 'pull', '-n', 'team-a', '-o', 'json']),
    ) as {
      type: string
      data: Record<string, string>
    }
    assert.equal(secret.type, 'kubernetes.io/dockerconfigjson')
    const config = JSON.parse(
      Buffer.from(secret.data['.dockerconfigjson'] ?? '', 'base64').toString('utf8'),
    ) as unknown
    assert.deepEqual(config, {
      auths: { '127.0.0.1:5000': { username: 'u', password: 'p', auth: 'dTpw' } },
    })
  })

  it('kubectl create secret generic --from-file --type=kubernetes.io/dockerconfigjson', async () => {
    const file = join(dir, 'config.json')
    writeFileSync(file, '{"auths":{"quay.io":{"auth":"dTpw"}}}\n')
    const out = await ok([
      'create',
      'secret',
      'generic',
      'cfg',
      `--from-file=.dockerconfigjson=${file}`,
      '--type=kubernetes.io/dockerconfigjson',
      '-n',
      'team-a',
    ])
    assert.equal(out, 'secret/cfg created\n')
  })

  it('kubectl create secret refuses a pull secret that is not JSON (422, contents redacted)', async () => {
    const file = join(dir, 'empty.json')
    writeFileSync(file, '')
    const res = await k([
      'create',
      'secret',
      'generic',
      'bad',
      `--from-file=.dockerconfigjson=${file}`,
      '--type=kubernetes.io/dockerconfigjson',
      '-n',
      'team-a',
    ])
    assert.notEqual(res.code, 0)
    assert.match(
      res.stderr,
      /Secret "bad" is invalid: data\[\.dockerconfigjson\]: Invalid value: "<secret contents redacted>"/,
    )
  })

  it('kubectl create sa', async () => {
    assert.equal(
      await ok(['create', 'sa', 'robot', '-n', 'team-a']),
      'serviceaccount/robot created\n',
    )
  })

  it('kubectl apply -f an OpenShift ImageStream manifest', async () => {
    const file = join(dir, 'is.yaml')
    writeFileSync(file, IMAGE_STREAM)
    const out = await ok(['apply', ...validate, '-f', file])
    assert.equal(out, 'imagestream.image.openshift.io/app created\n')
  })

  it('kubectl get is prints oc’s columns', async () => {
    const { header, rows } = tableLines(await ok(['get', 'is', '-n', 'team-a']))
    assert.match(header, /^NAME {3,}IMAGE REPOSITORY {3,}TAGS {3,}UPDATED$/)
    assert.deepEqual(rows[0]?.slice(0, 2), ['app', `${registryHost}/team-a/app`])
  })

  it('kubectl get is -o yaml shows the stored stream with its generations and computed repository', async () => {
    const list = parse(await ok(['get', 'is', '-n', 'team-a', '-o', 'yaml'])) as Listed
    assert.equal(list.kind, 'List')
    const stream = list.items[0]!
    assert.equal(stream.metadata.name, 'app')
    assert.equal(stream.status.dockerImageRepository, `${registryHost}/team-a/app`)
    const tag = stream.spec.tags[0]!
    assert.equal(tag.name, 'latest')
    assert.equal(tag.referencePolicy.type, 'Local')
    assert.equal(tag.importPolicy.importMode, 'PreserveOriginal')
    assert.equal(tag.importPolicy.scheduled, true)
    assert.ok(tag.generation >= 1)
  })

  it('kubectl describe is', async () => {
    const out = await ok(['describe', 'is', 'app', '-n', 'team-a'])
    assert.match(out, /^Name: +app$/m)
    assert.match(out, /^Namespace: +team-a$/m)
    assert.match(out, /^Kind: +ImageStream$/m)
    assert.match(out, /Reference Policy:\n +Type: +Local/)
    // The tag's background import fails (nothing listens at its registry): describe lists the
    // Event once the server has written it.
    await pollUntil(
      'the import failure in describe',
      async () =>
        /^Events:\n.*\n.*\n +Warning +ImportFailed /m.test(
          await ok(['describe', 'is', 'app', '-n', 'team-a']),
        ),
      { timeoutMs: WAIT_MS },
    )
  })

  it('kubectl explain imagestream.spec reads the served OpenAPI', async () => {
    const out = await ok(['explain', 'imagestream.spec'])
    assert.match(out, /^FIELD: +spec <ImageStreamSpec>$/m)
    assert.match(out, /^ {2}tags\t+<\[\]TagReference>$/m)
  })

  it('kubectl patch --type=merge, then the same patch prints (no change)', async () => {
    const patch = [
      'patch',
      'is',
      'app',
      '-n',
      'team-a',
      '--type=merge',
      '-p',
      '{"spec":{"lookupPolicy":{"local":true}}}',
    ]
    assert.equal(await ok(patch), 'imagestream.image.openshift.io/app patched\n')
    // The background importer may touch the stream's status between kubectl's GET and PATCH;
    // a few tries make the no-op observable without depending on its timing.
    let last = ''
    for (
      let attempt = 0;
      attempt < 5 && last !== 'imagestream.image.openshift.io/app patched (no change)\n';
      attempt++
    ) {
      last = await ok(patch)
    }
    assert.equal(last, 'imagestream.image.openshift.io/app patched (no change)\n')
    const stream = parse(
      await ok(['get', 'is', 'app', '-n', 'team-a', '-o', 'yaml']),
    ) as Listed['items'][number]
    assert.equal(stream.spec.lookupPolicy.local, true)
  })

  it('kubectl patch (strategic, the default) and --type=json', async () => {
    assert.equal(
      await ok([
        'patch',
        'is',
        'app',
        '-n',
        'team-a',
        '-p',
        '{"metadata":{"labels":{"team":"a"}}}',
      ]),
      'imagestream.image.openshift.io/app patched\n',
    )
    const bad = await k([
      'patch',
      'is',
      'app',
      '-n',
      'team-a',
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/metadata/labels/nope"}]',
    ])
    assert.notEqual(bad.code, 0)
    assert.match(bad.stderr, /The request is invalid: unable to remove nonexistent key: nope/)
  })

  it('kubectl get is -w sees a change made by another kubectl', async () => {
    const child: ChildProcess = spawn(
      KUBECTL,
      [
        '--kubeconfig',
        server.kubeconfig,
        '--cache-dir',
        cacheDir(),
        'get',
        'is',
        '-n',
        'team-a',
        '-w',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH, HOME: cacheDir() } },
    )
    trackChild(child)
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (b: Buffer) => (stdout += b.toString('utf8')))
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString('utf8')))
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    try {
      const rows = () => stdout.split('\n').filter((l) => l.startsWith('app '))
      await pollUntil('the watch to list the stream', () => Promise.resolve(rows().length >= 1), {
        timeoutMs: WAIT_MS,
        abort: () =>
          child.exitCode === null ? undefined : new Error(`kubectl get -w exited: ${stderr}`),
      })
      assert.match(stdout, /^NAME {3,}IMAGE REPOSITORY {3,}TAGS {3,}UPDATED$/m)
      await ok([
        'patch',
        'is',
        'app',
        '-n',
        'team-a',
        '--type=merge',
        '-p',
        '{"metadata":{"labels":{"watched":"yes"}}}',
      ])
      await pollUntil('the watch to print the change', () => Promise.resolve(rows().length >= 2), {
        timeoutMs: WAIT_MS,
        abort: () =>
          child.exitCode === null ? undefined : new Error(`kubectl get -w exited: ${stderr}`),
      })
    } finally {
      child.kill('SIGTERM')
      await exited
    }
  })

  it('kubectl get istag lists nothing before an import, and isimage is get-only', async () => {
    const res = await k(['get', 'istag', 'app:nope', '-n', 'team-a'])
    assert.notEqual(res.code, 0)
    assert.match(
      res.stderr,
      /Error from server \(NotFound\): imagestreamtags.image.openshift.io "app:nope" not found/,
    )
    const list = await k(['get', 'isimage', '-n', 'team-a'])
    assert.notEqual(list.code, 0)
    assert.match(list.stderr, /MethodNotAllowed/)
  })

  it('kubectl get secrets', async () => {
    const { header, rows } = tableLines(await ok(['get', 'secrets', '-n', 'team-a']))
    assert.match(header, /^NAME {3,}TYPE {3,}DATA {3,}AGE$/)
    assert.deepEqual(
      rows.map((r) => r.slice(0, 3)),
      [
        ['cfg', 'kubernetes.io/dockerconfigjson', '1'],
        ['pull', 'kubernetes.io/dockerconfigjson', '1'],
      ],
    )
  })

  it('kubectl get sa', async () => {
    const { header, rows } = tableLines(await ok(['get', 'sa', '-n', 'team-a']))
    assert.match(header, /^NAME {3,}SECRETS {3,}AGE$/)
    assert.deepEqual(
      rows.map((r) => r.slice(0, 2)),
      [
        ['builder', '0'],
        ['default', '0'],
        ['deployer', '0'],
        ['robot', '0'],
      ],
    )
  })

  it('kubectl get ns', async () => {
    const { header, rows } = tableLines(await ok(['get', 'ns']))
    assert.match(header, /^NAME {3,}STATUS {3,}AGE$/)
    assert.deepEqual(
      rows.map((r) => r.slice(0, 2)),
      [
        ['default', 'Active'],
        ['team-a', 'Active'],
      ],
    )
  })

  it('kubectl create -f with an unknown field is refused by strict validation', async () => {
    const file = join(dir, 'bogus.yaml')
    writeFileSync(
      file,
      'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: bogus\n  namespace: team-a\nbogusTopLevel: 1\n',
    )
    const res = await k(['create', ...validate, '-f', file])
    assert.notEqual(res.code, 0)
    assert.match(res.stderr, /unknown field "bogusTopLevel"/)
  })

  it('kubectl delete image is refused while a stream’s history names the image', async () => {
    const digest = `sha256:${'e'.repeat(64)}`
    await ok(
      ['create', ...validate, '-f', '-'],
      `apiVersion: image.openshift.io/v1
kind: Image
metadata:
  name: ${digest}
dockerImageReference: 127.0.0.1:5000/team-a/held@${digest}
---
apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: held
  namespace: team-a
`,
    )
    const event = {
      created: '2026-01-01T00:00:00Z',
      dockerImageReference: `127.0.0.1:5000/team-a/held@${digest}`,
      image: digest,
      generation: 1,
    }
    const status = { status: { tags: [{ tag: 'latest', items: [event] }] } }
    await ok([
      'patch',
      'is',
      'held',
      '-n',
      'team-a',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify(status),
    ])
    const refused = await k(['delete', 'image', digest])
    assert.notEqual(refused.code, 0)
    assert.equal(
      refused.stderr,
      `Error from server (Conflict): images.image.openshift.io "${digest}" is still referenced by ` +
        "imagestreams team-a/held: remove it from the stream's history (isctl tag -d, or isctl " +
        'adm prune images) first\n',
    )
    await ok(['delete', 'is', 'held', '-n', 'team-a'])
    assert.equal(
      await ok(['delete', 'image', digest]),
      `image.image.openshift.io "${digest}" deleted\n`,
    )
  })

  it('kubectl delete is, then get is NotFound', async () => {
    assert.equal(
      await ok(['delete', 'is', 'app', '-n', 'team-a']),
      'imagestream.image.openshift.io "app" deleted\n',
    )
    const res = await k(['get', 'is', 'app', '-n', 'team-a'])
    assert.notEqual(res.code, 0)
    assert.equal(
      res.stderr,
      'Error from server (NotFound): imagestreams.image.openshift.io "app" not found\n',
    )
  })
})
