/**
 * `isctl serve --allowed-registries-for-import` end to end, against a real plain-HTTP registry on
 * 127.0.0.1 whose access log counts every request: a list naming only another host refuses
 * `isctl import-image` (OpenShift's 422 and message, nothing stored, no request), DockerImage
 * spec tags through imagestreams and imagestreamtags (422 Forbidden on the field); a list naming
 * the registry lets imports through; and a server restarted with a list that no longer names
 * the registry refuses pull-through in the registry dialect and gives background imports a
 * Forbidden condition, in both cases without a request to the registry, and lets pull-through
 * through again once the file names the registry, without a restart. A file it cannot use
 * stops the server from starting.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  adminCredentials,
  allowedRegistriesFlag,
  httpRequest,
  kubectl,
  makeAgent,
  makeTempDir,
  pollUntil,
  removeTempDir,
  startServe,
  stopServe,
  useRegistry,
  useServe,
  type ServeProcess,
} from '../harness/index.js'

const OTHER = 'registry.example.com'

/** forbidden renders the refusal OpenShift's whitelister gives for `hostPort`. */
const forbidden = (hostPort: string, shown: string) =>
  `importing images from registry "${hostPort}" is forbidden: registry "${hostPort}" not allowed by whitelist: ${shown}`

describe('a list that names another registry', () => {
  const plain = useRegistry({ auth: 'none' })
  const suite = useServe(() => [], { allowedRegistries: () => [{ domainName: OTHER }] })
  /** shown is the whitelist as refusals list it: the integrated registry first. */
  const shown = () => `"${new URL(suite.server.address).host}", "${OTHER}:443"`

  before(async () => {
    const res = await suite.kubectl(['create', 'namespace', 'demo'])
    assert.equal(res.code, 0, res.stderr)
  })

  it('refuses isctl import-image with OpenShift message, storing nothing and asking nothing', async () => {
    plain.reg.clearAccessLog()
    const from = plain.fx.ociSingle.reference
    const res = await suite.run([
      '-n',
      'demo',
      'import-image',
      'app',
      `--from=${from}`,
      '--confirm',
      '--insecure',
    ])
    assert.equal(res.code, 1)
    assert.equal(
      res.stderr,
      `Error from server (Invalid): ImageStreamImport.image.openshift.io "app" is invalid: spec.images[0].from.name: Forbidden: ${forbidden(plain.reg.host, shown())}\n`,
    )
    const get = await suite.kubectl(['get', 'is', 'app', '-n', 'demo'])
    assert.equal(get.code, 1)
    assert.match(get.stderr, /NotFound/)
    const images = await suite.kubectl(['get', 'images', '-o', 'name'])
    assert.equal(images.stdout, '')
    assert.deepEqual(await plain.reg.accessLogSettled(), [])
  })

  it('refuses a DockerImage spec tag from the registry with 422 Forbidden on the field', async () => {
    const from = plain.fx.ociSingle.reference
    const stream = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'tagged', namespace: 'demo' },
      spec: { tags: [{ name: 'v1', from: { kind: 'DockerImage', name: from } }] },
    }
    const res = await suite.kubectl(['create', '-f', '-', '-o', 'name'], JSON.stringify(stream))
    assert.equal(res.code, 1)
    const message = `registry "${plain.reg.host}" not allowed by whitelist: ${shown()}`
    assert.equal(
      res.stderr.trim(),
      `The ImageStream "tagged" is invalid: spec.tags[v1].from.name: Forbidden: ${message}`,
    )
    const istag = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStreamTag',
      metadata: { name: 'tagged:v1', namespace: 'demo' },
      tag: { name: 'v1', from: { kind: 'DockerImage', name: from } },
    }
    const viaTag = await suite.kubectl(['create', '-f', '-', '-o', 'name'], JSON.stringify(istag))
    assert.equal(viaTag.code, 1)
    assert.equal(
      viaTag.stderr.trim(),
      `The ImageStreamTag "tagged:v1" is invalid: tag.from.name: Forbidden: ${message}`,
    )
    // isctl tag writes the same spec tag, and is refused the same way.
    const tag = await suite.run(['-n', 'demo', 'tag', from, 'tagged:v1', '--insecure'])
    assert.equal(tag.code, 1)
    assert.match(tag.stderr, /Forbidden: registry ".*" not allowed by whitelist/)
  })
})

describe('a list that names the registry', () => {
  const plain = useRegistry({ auth: 'none' })
  const suite = useServe(() => [], {
    allowedRegistries: () => [
      { domainName: OTHER },
      { domainName: plain.reg.host, insecure: true },
    ],
  })

  it('imports from it as without a list', async () => {
    assert.equal((await suite.kubectl(['create', 'namespace', 'demo'])).code, 0)
    const image = plain.fx.ociSingle
    const res = await suite.run([
      '-n',
      'demo',
      'import-image',
      'app',
      `--from=${image.reference}`,
      '--confirm',
      '--insecure',
    ])
    assert.equal(res.code, 0, res.stderr)
    const stream = JSON.parse(
      (await suite.kubectl(['get', 'is', 'app', '-n', 'demo', '-o', 'json'])).stdout,
    ) as { status: { tags: { items: { image: string }[] }[] } }
    assert.equal(stream.status.tags[0]?.items[0]?.image, image.digest)
  })
})

describe('a registry the list stops naming after a restart', () => {
  const plain = useRegistry({ auth: 'none' })
  let dir: string
  let server: ServeProcess | undefined

  const k = (args: readonly string[], input?: string) =>
    kubectl(args, { kubeconfig: server!.kubeconfig, cacheDir: join(dir, 'cache'), input })
  const ok = async (args: readonly string[], input?: string) => {
    const res = await k(args, input)
    assert.equal(res.code, 0, `kubectl ${args.join(' ')}: ${res.stderr}`)
    return res.stdout
  }

  before(async () => {
    dir = makeTempDir('allowed-registries-e2e')
    server = await startServe(join(dir, 'data'))
    await ok(['create', 'namespace', 'demo'])
    const stream = {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStream',
      metadata: { name: 'app', namespace: 'demo' },
      spec: {
        tags: [
          {
            name: 'v1',
            from: { kind: 'DockerImage', name: plain.fx.ociSingle.reference },
            importPolicy: { insecure: true },
          },
        ],
      },
    }
    await ok(['create', '-f', '-'], JSON.stringify(stream))
    await pollUntil('the background import of app:v1', async () => {
      const out = await ok(['get', 'is', 'app', '-n', 'demo', '-o', 'json'])
      const s = JSON.parse(out) as { status?: { tags?: { items?: unknown[] }[] } }
      return (s.status?.tags?.[0]?.items?.length ?? 0) > 0
    })
    await stopServe(server)
    server = undefined
    // The same data, now with a list that names only another registry.
    const flag = allowedRegistriesFlag(join(dir, 'allowed.yaml'), [{ domainName: OTHER }])
    server = await startServe(join(dir, 'data'), flag)
  })
  after(async () => {
    if (server) await stopServe(server)
    await removeTempDir(dir)
  })

  it('refuses pull-through in the registry dialect without asking the registry', async () => {
    const admin = adminCredentials(server!.kubeconfig)
    const agent = makeAgent(admin.caPem)
    const host = new URL(server!.address).host
    plain.reg.clearAccessLog()
    try {
      const res = await httpRequest(`https://${host}/v2/demo/app/manifests/v1`, {
        headers: { authorization: `Bearer ${admin.token}` },
        dispatcher: agent,
      })
      assert.equal(res.status, 403)
      const body = JSON.parse(res.body.toString('utf8')) as {
        errors: { code: string; message: string; detail: unknown }[]
      }
      assert.deepEqual(body.errors, [
        {
          code: 'DENIED',
          message: forbidden(plain.reg.host, `"${host}", "${OTHER}:443"`),
          detail: { registry: plain.reg.host },
        },
      ])
    } finally {
      await agent.close()
    }
    assert.deepEqual(await plain.reg.accessLogSettled(), [])
  })

  it('gives a re-import in the background a Forbidden condition without asking the registry', async () => {
    plain.reg.clearAccessLog()
    const host = new URL(server!.address).host
    // A reference the stream already held may stay (as in OpenShift), and generation 0 asks
    // for a re-import; the import is what the list refuses.
    await ok([
      'patch',
      'is',
      'app',
      '-n',
      'demo',
      '--type=json',
      '-p',
      JSON.stringify([{ op: 'replace', path: '/spec/tags/0/generation', value: 0 }]),
    ])
    let condition: { reason?: string; message?: string } | undefined
    await pollUntil('the import condition', async () => {
      const out = await ok(['get', 'is', 'app', '-n', 'demo', '-o', 'json'])
      const s = JSON.parse(out) as {
        status?: { tags?: { conditions?: { reason?: string; message?: string }[] }[] }
      }
      condition = s.status?.tags?.[0]?.conditions?.[0]
      return condition !== undefined
    })
    assert.equal(condition?.reason, 'Forbidden')
    assert.equal(condition?.message, forbidden(plain.reg.host, `"${host}", "${OTHER}:443"`))
    assert.deepEqual(await plain.reg.accessLogSettled(), [])
  })
  it('applies a changed file without a restart', async () => {
    const admin = adminCredentials(server!.kubeconfig)
    const agent = makeAgent(admin.caPem)
    const host = new URL(server!.address).host
    allowedRegistriesFlag(join(dir, 'allowed.yaml'), [
      { domainName: OTHER },
      { domainName: plain.reg.host, insecure: true },
    ])
    try {
      await pollUntil('pull-through allowed again', async () => {
        const res = await httpRequest(`https://${host}/v2/demo/app/manifests/v1`, {
          headers: { authorization: `Bearer ${admin.token}` },
          dispatcher: agent,
        })
        return res.status === 200
      })
    } finally {
      await agent.close()
    }
  })
})

describe('an allow-list file serve cannot use', () => {
  let dir: string
  before(() => {
    dir = makeTempDir('allowed-registries-bad')
  })
  after(() => removeTempDir(dir))

  for (const [name, text, problem] of [
    [
      'a colon too many',
      '- domainName: "a:1:2"\n',
      'failed to parse allowed registry "a:1:2": too many colons',
    ],
    [
      'a misspelt field',
      '- domainname: quay.io\n',
      'entry 1: unknown field "domainname" (fields: domainName, insecure)',
    ],
  ] as const) {
    it(`refuses to start with ${name}, naming the file`, async () => {
      const path = join(dir, `${name.replace(/ /g, '-')}.yaml`)
      writeFileSync(path, text)
      await assert.rejects(
        startServe(join(dir, 'data'), ['--allowed-registries-for-import', path]),
        (err: unknown) => {
          assert.ok(err instanceof Error)
          assert.ok(
            err.message.includes(`error: --allowed-registries-for-import: ${path}: ${problem}\n`),
            err.message,
          )
          return true
        },
      )
    })
  }
})
