/**
 * The integrated registry through a real `isctl serve`: a PreserveOriginal multi-arch list
 * imported from a Basic-auth registry with a namespace pull secret, then pulled through the
 * server's `/v2/` by real skopeo (inspect, and copy --all of the list, children and blobs)
 * and podman, with the API token as password.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { once } from 'node:events'
import { after, before, describe, it } from 'node:test'
import { request, type Agent } from 'undici'
import {
  adminCredentials,
  header,
  httpRequest,
  makeAgent,
  makeTempDir,
  pollUntil,
  pullSecretArgs,
  pushLargeImage,
  removeTempDir,
  runCommand,
  serverCertDir,
  skopeoInspect,
  startFaultProxy,
  succeeded,
  useRegistry,
  useServe,
} from '../harness/index.js'

const sha256 = (data: string | Buffer) =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`

describe('the integrated registry through isctl serve and skopeo', () => {
  const env = useRegistry({ auth: 'basic', users: { alice: 'alice-pass' } })
  const suite = useServe(() => ['--additional-trusted-ca', env.reg.ca!.caCertPath])
  let dir: string
  let certDir: string
  let token: string
  let host: string
  let policy: string
  /** cached is where the server keeps a blob it pulled through. */
  const cached = (digest: string) =>
    join(dirname(suite.kubeconfig), 'registry-cache', 'sha256', digest.slice(7))

  /** skopeo runs `skopeo inspect --raw` trusting the server's CA; a failed run is a result too. */
  const skopeo = (ref: string, creds?: string) =>
    skopeoInspect(ref, { certDir, ...(creds !== undefined && { creds }) })

  /** copyAll copies app:v1, list and children, through the server into the OCI layout `name`. */
  const copyAll = async (name: string) => {
    const layout = join(dir, name)
    await succeeded(
      runCommand('skopeo', [
        '--policy',
        policy,
        'copy',
        '--all',
        '--src-cert-dir',
        certDir,
        '--src-creds',
        `any:${token}`,
        `docker://${host}/team-a/app:v1`,
        `oci:${layout}`,
      ]),
    )
    return layout
  }

  /** importLocal imports `from` as `<stream>:<tag>` in team-a with referencePolicy Local; it must succeed. */
  const importLocal = async (stream: string, tag: string, from: string, mode?: string) => {
    const isi = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStreamImport',
      metadata: { name: stream, namespace: 'team-a' },
      spec: {
        import: true,
        images: [
          {
            from: { kind: 'DockerImage', name: from },
            to: { name: tag },
            ...(mode !== undefined && { importPolicy: { importMode: mode } }),
            referencePolicy: { type: 'Local' },
          },
        ],
      },
    }
    const created = await succeeded(
      suite.kubectl(['create', '-o', 'json', '-f', '-'], JSON.stringify(isi)),
    )
    const out = JSON.parse(created) as {
      status: { images: { status: { status: string; message?: string } }[] }
    }
    const status = out.status.images[0]!.status
    assert.equal(status.status, 'Success', status.message)
  }

  before(async () => {
    dir = makeTempDir('distribution-e2e')
    certDir = serverCertDir(suite.kubeconfig, join(dir, 'certs'))
    const admin = adminCredentials(suite.kubeconfig)
    token = admin.token
    host = new URL(suite.server.address).host
    policy = join(dir, 'policy.json')
    writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }))
    const k = (args: readonly string[], input?: string) => succeeded(suite.kubectl(args, input))
    await k(['create', 'namespace', 'team-a'])
    await k(
      pullSecretArgs({
        name: 'pull',
        namespace: 'team-a',
        server: env.reg.host,
        username: 'alice',
        password: 'alice-pass',
      }),
    )
    await importLocal('app', 'v1', env.fx.ociIndex.reference, 'PreserveOriginal')
  })
  after(() => removeTempDir(dir))

  it('serves the list by tag with the upstream bytes', async () => {
    const res = await skopeo(`${host}/team-a/app:v1`, `any:${token}`)
    assert.equal(res.code, 0, res.stderr)
    assert.equal(sha256(res.stdout), env.fx.ociIndex.digest)
  })

  it('resolves the Local tag to the server’s pull spec, which serves it; history keeps the source', async () => {
    const k = (args: readonly string[]) => succeeded(suite.kubectl(args))
    const istag = JSON.parse(await k(['get', 'istag', 'app:v1', '-n', 'team-a', '-o', 'json'])) as {
      image: { dockerImageReference: string }
    }
    const local = `${host}/team-a/app@${env.fx.ociIndex.digest}`
    assert.equal(istag.image.dockerImageReference, local)
    const described = await succeeded(suite.run(['describe', 'istag', 'app:v1', '-n', 'team-a']))
    const line = described.split('\n').find((l) => l.startsWith('Docker Image:'))
    assert.equal(line?.replace(/^Docker Image:\s+/, ''), local, described)
    const res = await skopeo(local, `any:${token}`)
    assert.equal(res.code, 0, res.stderr)
    assert.equal(sha256(res.stdout), env.fx.ociIndex.digest)
    const stream = JSON.parse(await k(['get', 'is', 'app', '-n', 'team-a', '-o', 'json'])) as {
      status: { tags: { items: { dockerImageReference: string }[] }[] }
    }
    const source = stream.status.tags[0]!.items[0]!.dockerImageReference
    assert.ok(source.startsWith(`${env.reg.host}/`), source)
  })

  it('serves a child of the preserved list by digest', async () => {
    const child = env.fx.ociIndex.children.find(
      (c) => !c.attestation && c.platform.architecture === 'arm64',
    )!
    const res = await skopeo(`${host}/team-a/app@${child.digest}`, `any:${token}`)
    assert.equal(res.code, 0, res.stderr)
    assert.equal(sha256(res.stdout), child.digest)
  })

  it('copies the whole list, children and blobs, with the upstream digests', async () => {
    const layout = await copyAll('copy')
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as {
      manifests: { digest: string }[]
    }
    assert.equal(index.manifests[0]!.digest, env.fx.ociIndex.digest)
    for (const child of env.fx.ociIndex.children) {
      const blob = readFileSync(join(layout, 'blobs', 'sha256', child.digest.slice(7)), 'utf8')
      assert.equal(sha256(blob), child.digest)
    }
  })

  it('keeps what it pulled: a second copy reaches the upstream with no request at all', async () => {
    await copyAll('first')
    // A blob is kept once it is on disk, just after its answer ends.
    const blobs = env.fx.ociIndex.children.flatMap((c) => [c.config, ...c.layers])
    await pollUntil('every blob of the list in the cache', () =>
      Promise.resolve(blobs.every((b) => existsSync(cached(b.digest)))),
    )
    env.reg.clearAccessLog()
    await copyAll('second')
    // Blobs come from the server's disk and manifests (immutable by digest) from its memory.
    assert.deepEqual(await env.reg.accessLogSettled(), [], 'no request reached the upstream')
    const agent = makeAgent(readFileSync(join(certDir, 'ca.crt'), 'utf8'))
    const scraped = await httpRequest(`https://${host}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
      dispatcher: agent,
    }).finally(() => agent.close())
    const served =
      /^imagestreams_pullthrough_served_total\{kind="blob",from="cache"\} (\d+)$/m.exec(
        scraped.body.toString('utf8'),
      )
    assert.ok(Number(served?.[1]) >= blobs.length, 'the metrics count the blobs served from disk')
    for (const b of blobs) {
      const bytes = readFileSync(join(dir, 'second', 'blobs', 'sha256', b.digest.slice(7)))
      assert.equal(sha256(bytes), b.digest)
    }
  })

  it('serves a byte range of a blob it keeps, and refuses one past the end', async () => {
    const layout = await copyAll('ranged')
    const layer = env.fx.ociIndex.children[0]!.layers[0]!
    await pollUntil('the layer in the cache', () =>
      Promise.resolve(existsSync(cached(layer.digest))),
    )
    const bytes = readFileSync(join(layout, 'blobs', 'sha256', layer.digest.slice(7)))
    const agent = makeAgent(readFileSync(join(certDir, 'ca.crt'), 'utf8'))
    const get = (range: string) =>
      httpRequest(`https://${host}/v2/team-a/app/blobs/${layer.digest}`, {
        headers: { authorization: `Bearer ${token}`, range },
        dispatcher: agent,
      })
    try {
      const part = await get('bytes=10-19')
      assert.equal(part.status, 206)
      assert.equal(header(part, 'content-range'), `bytes 10-19/${bytes.length}`)
      assert.equal(header(part, 'accept-ranges'), 'bytes')
      assert.deepEqual(part.body, bytes.subarray(10, 20))
      const tail = await get(`bytes=-5`)
      assert.deepEqual(tail.body, bytes.subarray(bytes.length - 5))
      const past = await get(`bytes=${bytes.length + 10}-`)
      assert.equal(past.status, 416)
      assert.equal(header(past, 'content-range'), `bytes */${bytes.length}`)
    } finally {
      await agent.close()
    }
  })

  it('stops the upstream transfer when the client leaves, and keeps nothing of the blob', async () => {
    const big = await pushLargeImage(env.reg, 'big/blob:latest', {
      layers: 1,
      layerBytes: 64 * 2 ** 20,
    })
    await importLocal('big', 'latest', `${env.reg.host}/big/blob:latest`)
    const layer = big.layers[0]!
    env.reg.clearAccessLog()
    const agent = makeAgent(readFileSync(join(certDir, 'ca.crt'), 'utf8'))
    try {
      const res = await request(`https://${host}/v2/team-a/big/blobs/${layer.digest}`, {
        headers: { authorization: `Bearer ${token}` },
        dispatcher: agent,
      })
      assert.equal(res.statusCode, 200)
      await once(res.body, 'data')
      res.body.destroy()
      const upstreamGet = () =>
        env.reg.accessLog().find((r) => r.method === 'GET' && r.path.endsWith(layer.digest))
      await pollUntil('the upstream blob request to end', () => Promise.resolve(!!upstreamGet()))
      const sent = upstreamGet()!.bytes
      assert.ok(sent < layer.size, `the upstream sent ${sent} of ${layer.size} bytes`)
      assert.equal(existsSync(cached(layer.digest)), false)
    } finally {
      await agent.close()
    }
  })

  // The server holds back the last piece it received until the digest is checked, so a client
  // never holds the whole of wrong bytes: the answer is cut before its end, or, for a blob that
  // arrives in one piece, is an error with nothing of the blob (docs/integrated-registry.md).
  const corrupted = [
    { name: 'large', layerBytes: 4 * 2 ** 20, onePiece: false },
    { name: 'small', layerBytes: 512, onePiece: true },
  ]
  for (const c of corrupted) {
    it(`cuts a ${c.name} blob whose bytes do not match its digest before its end, and keeps nothing`, async () => {
      const proxy = await startFaultProxy({ upstream: env.reg })
      const agent = makeAgent(readFileSync(join(certDir, 'ca.crt'), 'utf8'))
      try {
        const image = await pushLargeImage(env.reg, `corrupt/${c.name}:latest`, {
          layers: 1,
          layerBytes: c.layerBytes,
        })
        await succeeded(
          suite.kubectl(
            pullSecretArgs({
              name: `pull-via-proxy-${c.name}`,
              namespace: 'team-a',
              server: proxy.host,
              username: 'alice',
              password: 'alice-pass',
            }),
          ),
        )
        await importLocal(`corrupt-${c.name}`, 'latest', `${proxy.host}/corrupt/${c.name}:latest`)
        const layer = image.layers[0]!
        proxy.setFault({ kind: 'corrupt-body', method: 'GET', path: /\/blobs\//, times: 'always' })
        const res = await request(
          `https://${host}/v2/team-a/corrupt-${c.name}/blobs/${layer.digest}`,
          { headers: { authorization: `Bearer ${token}` }, dispatcher: agent },
        )
        if (c.onePiece) {
          // Nothing had gone out when the check failed: the answer is the registry's error.
          assert.equal(res.statusCode, 502)
          const body = (await res.body.json()) as { errors: { message: string }[] }
          assert.match(body.errors[0]!.message, /does not match its digest/)
        } else {
          assert.equal(res.statusCode, 200)
          assert.equal(res.headers['content-length'], String(layer.size))
          let received = 0
          await assert.rejects(async () => {
            for await (const chunk of res.body) received += (chunk as Buffer).length
          })
          assert.ok(received < layer.size, `received ${received} of ${layer.size} bytes`)
        }
        assert.ok(proxy.requests().some((r) => r.fault === 'corrupt-body'))
        assert.equal(existsSync(cached(layer.digest)), false)
      } finally {
        await agent.close()
        await proxy.stop()
      }
    })
  }

  it('answers a client that accepts no list type as the upstream registry does', async () => {
    await importLocal('app', 'docker', env.fx.dockerList.reference, 'PreserveOriginal')
    const ours = makeAgent(readFileSync(join(certDir, 'ca.crt'), 'utf8'))
    const theirs = makeAgent(env.reg.ca!.caCertPem)
    const basic = `Basic ${Buffer.from('alice:alice-pass').toString('base64')}`
    /** get asks for a manifest as a client that accepts Docker images only. */
    const get = async (url: string, authorization: string, agent: Agent) => {
      const res = await httpRequest(url, {
        headers: { authorization, accept: 'application/vnd.docker.distribution.manifest.v2+json' },
        dispatcher: agent,
      })
      const body = res.body.toString('utf8')
      return { status: res.status, digest: header(res, 'docker-content-digest'), body }
    }
    const viaServer = (tag: string) =>
      get(`https://${host}/v2/team-a/app/manifests/${tag}`, `Bearer ${token}`, ours)
    const fromUpstream = (fx: { repository: string; tag: string }) =>
      get(`https://${env.reg.host}/v2/${fx.repository}/manifests/${fx.tag}`, basic, theirs)
    const error = (body: string) =>
      (JSON.parse(body) as { errors: { code: string; message: string }[] }).errors[0]
    try {
      // A Docker list by tag: its linux/amd64 image.
      const amd64 = env.fx.dockerList.children.find((c) => c.platform.architecture === 'amd64')!
      const served = await viaServer('docker')
      const upstream = await fromUpstream(env.fx.dockerList)
      assert.equal(upstream.digest, amd64.digest)
      assert.deepEqual(served, upstream)
      assert.equal(sha256(served.body), amd64.digest)
      // An OCI index: refused, by both.
      const index = await viaServer('v1')
      const indexUpstream = await fromUpstream(env.fx.ociIndex)
      assert.equal(index.status, 404)
      assert.equal(indexUpstream.status, 404)
      assert.equal(error(index.body)?.code, 'MANIFEST_UNKNOWN')
      assert.equal(error(index.body)?.message, error(indexUpstream.body)?.message)
    } finally {
      await Promise.all([ours.close(), theirs.close()])
    }
  })

  it('serves podman pull', async () => {
    // A short directory: podman refuses a runroot longer than 50 characters.
    const podman = makeTempDir('pd')
    const out = await succeeded(
      runCommand('podman', [
        '--root',
        join(podman, 'root'),
        '--runroot',
        join(podman, 'run'),
        '--storage-driver',
        'vfs',
        'pull',
        '--cert-dir',
        certDir,
        '--creds',
        `any:${token}`,
        `${host}/team-a/app:v1`,
      ]),
    ).finally(() => removeTempDir(podman))
    assert.match(out, /^[0-9a-f]{64}$/m)
  })

  it('refuses a pull without credentials with the registry 401', async () => {
    const res = await skopeo(`${host}/team-a/app:v1`)
    assert.notEqual(res.code, 0)
    assert.match(res.stderr, /unauthorized|authentication required/i)
  })

  it('answers a digest of no stream image with 404 MANIFEST_UNKNOWN', async () => {
    const unknown = `sha256:${'0'.repeat(64)}`
    const res = await skopeo(`${host}/team-a/app@${unknown}`, `any:${token}`)
    assert.notEqual(res.code, 0)
    assert.match(res.stderr, /manifest unknown/i)
    const agent = makeAgent(readFileSync(join(certDir, 'ca.crt'), 'utf8'))
    try {
      const plain = await httpRequest(`https://${host}/v2/team-a/app/manifests/${unknown}`, {
        headers: { authorization: `Bearer ${token}` },
        dispatcher: agent,
      })
      assert.equal(plain.status, 404)
      const body = JSON.parse(plain.body.toString('utf8')) as { errors: { code: string }[] }
      assert.equal(body.errors[0]!.code, 'MANIFEST_UNKNOWN')
      assert.equal(header(plain, 'docker-distribution-api-version'), 'registry/2.0')
    } finally {
      await agent.close()
    }
  })
})
