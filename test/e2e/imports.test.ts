/**
 * Imports through a real `isctl serve`, driven by real kubectl against a real Basic-auth
 * registry: an ImageStreamImport posted with `kubectl create -f`, its Images and history, a
 * re-import that changes nothing, namespace isolation of pull secrets, and a spec tag applied
 * with kubectl that the server imports in the background.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  KUBECTL,
  kubectl,
  makeTempDir,
  pullSecretArgs,
  removeTempDir,
  startServe,
  stopServe,
  useRegistry,
  type ServeProcess,
} from '../harness/index.js'
import { pollUntil, trackChild } from '../harness/process.js'

describe('imports through isctl serve and kubectl', () => {
  const env = useRegistry({ auth: 'basic', users: { alice: 'alice-pass' } })
  let dir: string
  let server: ServeProcess
  const k = (args: readonly string[], input?: string) =>
    kubectl(args, { kubeconfig: server.kubeconfig, cacheDir: join(dir, 'cache'), input })
  const ok = async (args: readonly string[], input?: string) => {
    const res = await k(args, input)
    assert.equal(res.code, 0, `kubectl ${args.join(' ')}: ${res.stderr}`)
    return res.stdout
  }
  const isi = (name: string, from: string, tag: string) => `
apiVersion: image.openshift.io/v1
kind: ImageStreamImport
metadata:
  name: ${name}
spec:
  import: true
  images:
  - from:
      kind: DockerImage
      name: ${from}
    to:
      name: "${tag}"
    importPolicy:
      importMode: PreserveOriginal
`

  before(async () => {
    dir = makeTempDir('imports-e2e')
    server = await startServe(join(dir, 'data'), [
      '--additional-trusted-ca',
      env.reg.ca!.caCertPath,
    ])
    await ok(['create', 'namespace', 'team-a'])
    await ok(['create', 'namespace', 'team-b'])
    await ok(
      pullSecretArgs({
        name: 'pull',
        namespace: 'team-a',
        server: env.reg.host,
        username: 'alice',
        password: 'alice-pass',
      }),
    )
  })
  after(async () => {
    if (server) await stopServe(server)
    await removeTempDir(dir)
  })

  it('imports an ImageStreamImport created with kubectl through the namespace secret', async () => {
    const list = env.fx.ociIndex
    const out = JSON.parse(
      await ok(
        ['create', '-n', 'team-a', '-o', 'json', '-f', '-'],
        isi('app', list.reference, 'v1'),
      ),
    ) as { status: { images: { status: { status: string; message: string } }[] } }
    assert.equal(
      out.status.images[0]!.status.status,
      'Success',
      out.status.images[0]!.status.message,
    )
    assert.match(out.status.images[0]!.status.message, /secret "team-a\/pull"/)
    const images = await ok(['get', 'images', '-o', 'name'])
    for (const digest of [
      list.digest,
      ...list.children.filter((c) => !c.attestation).map((c) => c.digest),
    ]) {
      assert.ok(images.includes(digest), `image ${digest} missing`)
    }
    const stream = JSON.parse(await ok(['get', 'is', 'app', '-n', 'team-a', '-o', 'json'])) as {
      metadata: { resourceVersion: string }
      status: { tags: { tag: string; items: { image: string }[] }[] }
    }
    assert.equal(stream.status.tags[0]!.items[0]!.image, list.digest)
    await ok(['create', '-n', 'team-a', '-o', 'json', '-f', '-'], isi('app', list.reference, 'v1'))
    const again = await ok([
      'get',
      'is',
      'app',
      '-n',
      'team-a',
      '-o',
      'jsonpath={.metadata.resourceVersion}',
    ])
    assert.equal(again, stream.metadata.resourceVersion)
  })

  it('never uses a secret of another namespace', async () => {
    const out = JSON.parse(
      await ok(
        ['create', '-n', 'team-b', '-o', 'json', '-f', '-'],
        isi('app', env.fx.ociSingle.reference, 'v1'),
      ),
    ) as { status: { images: { status: { reason: string } }[] } }
    assert.equal(out.status.images[0]!.status.reason, 'Unauthorized')
  })

  it('imports a spec tag applied with kubectl in the background, as `get is -w` shows', async () => {
    const list = env.fx.dockerList
    const watcher = spawn(
      KUBECTL,
      [
        '--kubeconfig',
        server.kubeconfig,
        '--cache-dir',
        join(dir, 'cache-w'),
        'get',
        'is',
        '-n',
        'team-a',
        '-w',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH, HOME: join(dir, 'cache-w') },
      },
    )
    trackChild(watcher)
    let watched = ''
    watcher.stdout.on('data', (b: Buffer) => (watched += b.toString('utf8')))
    // Listed, so watching from the list's resourceVersion: the stream's creation is an event.
    await pollUntil('the watch to list', () => Promise.resolve(watched.startsWith('NAME')))
    await ok(
      ['apply', '-n', 'team-a', '-f', '-'],
      `
apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: web
spec:
  tags:
  - name: v2
    from:
      kind: DockerImage
      name: ${list.reference}
    importPolicy:
      scheduled: true
      importMode: PreserveOriginal
    referencePolicy:
      type: Local
`,
    )
    await pollUntil('the background import of web:v2', async () => {
      const res = await k([
        'get',
        'istag',
        'web:v2',
        '-n',
        'team-a',
        '-o',
        'jsonpath={.image.metadata.name}',
      ])
      return res.code === 0 && res.stdout === list.digest
    })
    // The watch printed the stream as applied (no tag imported yet), then with v2 once the
    // import landed: the TAGS column lists imported tags only.
    const webRows = () => watched.split('\n').filter((l) => /^web\s/.test(l))
    const hasV2 = (line: string) => /^web\s+\S+\s+v2\s/.test(line)
    await pollUntil('the watch to show web with v2', () => Promise.resolve(webRows().some(hasV2)))
    watcher.kill()
    assert.match(watched, /^NAME\s+IMAGE REPOSITORY\s+TAGS\s+UPDATED\n/)
    const rows = webRows()
    assert.ok(rows.length >= 2, watched)
    assert.ok(!hasV2(rows[0]!), `first seen without tags: ${watched}`)
    assert.match(rows.at(-1)!, /^web\s+\S+\s+v2\s+\S/)
  })
})
