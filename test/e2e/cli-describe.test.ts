/**
 * `isctl describe` against a real `isctl serve` importing from a real registry: an image stream
 * with a PreserveOriginal list tag, a Legacy tag, a Local reference policy tag, an insecure tag,
 * a failing tag and an alias, described as oc lays it out; the list's istag and isimage with
 * their `Manifests:`; kubectl's errors for a missing object and an unknown type.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { useRegistry, useServe } from '../harness/index.js'
import { pollUntil } from '../harness/process.js'

const NS = 'describe-e2e'

interface StreamJSON {
  status: {
    dockerImageRepository?: string
    tags?: { tag: string; items?: { image: string }[]; conditions?: { message: string }[] }[]
  }
}

/** Ages move with the clock; the layout around them does not. */
function normalise(text: string): string {
  return text
    .replace(
      /(?:\d+ (?:seconds|minutes|hours|days)|Less than a second|1 second|About a minute|About an hour) ago/g,
      '<age> ago',
    )
    .replace(/(dockerRepositoryCheck=)\S+/, '$1<time>')
}

void describe('isctl describe', () => {
  const env = useRegistry({ auth: 'none', tls: true })
  const suite = useServe(() => ['--additional-trusted-ca', env.reg.ca!.caCertPath])

  const ok = async (args: readonly string[], input?: string) => {
    const res = await suite.kubectl(args, input)
    assert.equal(res.code, 0, `kubectl ${args.join(' ')}: ${res.stderr}`)
    return res.stdout
  }
  const missingRepo = () => `${env.reg.host}/does/not-exist:v1`

  /** Creates the stream once and waits until every tag imported or failed. */
  let ready: Promise<StreamJSON> | undefined
  const stream = () => {
    ready ??= (async () => {
      const { fx } = env
      await ok(['create', 'namespace', NS])
      await ok(
        ['create', '-n', NS, '-f', '-'],
        JSON.stringify({
          apiVersion: 'image.openshift.io/v1',
          kind: 'ImageStream',
          metadata: { name: 'app' },
          spec: {
            tags: [
              {
                name: 'list',
                from: { kind: 'DockerImage', name: fx.ociIndex.reference },
                importPolicy: { importMode: 'PreserveOriginal' },
              },
              {
                name: 'legacy',
                from: { kind: 'DockerImage', name: fx.dockerList.reference },
                importPolicy: { importMode: 'Legacy' },
              },
              {
                name: 'local',
                from: { kind: 'DockerImage', name: fx.ociSingle.reference },
                referencePolicy: { type: 'Local' },
              },
              {
                name: 'insecure',
                from: { kind: 'DockerImage', name: fx.dockerSingle.reference },
                importPolicy: { insecure: true },
              },
              { name: 'missing', from: { kind: 'DockerImage', name: missingRepo() } },
              {
                name: 'stable',
                from: { kind: 'ImageStreamTag', name: 'app:list' },
                reference: true,
              },
            ],
          },
        }),
      )
      let last: StreamJSON | undefined
      await pollUntil(
        'every tag imported or failed',
        async () => {
          last = JSON.parse(await ok(['get', 'is', 'app', '-n', NS, '-o', 'json'])) as StreamJSON
          const tags = last.status.tags ?? []
          return ['list', 'legacy', 'local', 'insecure', 'missing'].every((name) => {
            const t = tags.find((x) => x.tag === name)
            return (t?.items?.length ?? 0) > 0 || (t?.conditions?.length ?? 0) > 0
          })
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      )
      return last!
    })()
    return ready
  }

  void it('describes the stream as oc does: every tag block, alias folded, failure shown', async () => {
    const json = await stream()
    const { fx, reg } = env
    const amd64 = fx.dockerList.children.find((c) => c.platform.architecture === 'amd64')!
    const failure = json.status.tags!.find((t) => t.tag === 'missing')!.conditions![0]!.message
    const unique = new Set([
      fx.ociIndex.digest,
      amd64.digest,
      fx.ociSingle.digest,
      fx.dockerSingle.digest,
    ])
    const at = (ref: string, digest: string) => `${ref.slice(0, ref.lastIndexOf(':'))}@${digest}`

    const res = await suite.run(['describe', 'is', 'app', '-n', NS])
    assert.equal(res.stderr, '')
    assert.equal(res.code, 0)
    assert.equal(
      normalise(res.stdout),
      `Name:\t\t\tapp
Namespace:\t\t${NS}
Created:\t\t<age> ago
Labels:\t\t\t<none>
Annotations:\t\topenshift.io/image.dockerRepositoryCheck=<time>
Image Repository:\t${json.status.dockerImageRepository ?? '<none>'}
Image Lookup:\t\tlocal=false
Unique Images:\t\t${unique.size}
Tags:\t\t\t6

insecure
  tagged from ${fx.dockerSingle.reference}
    will use insecure HTTPS or HTTP connections

  * ${at(fx.dockerSingle.reference, fx.dockerSingle.digest)}
      <age> ago

legacy
  tagged from ${fx.dockerList.reference}

  * ${at(fx.dockerList.reference, amd64.digest)}
      <age> ago

list (stable)
  tagged from ${fx.ociIndex.reference}

  * ${at(fx.ociIndex.reference, fx.ociIndex.digest)}
      <age> ago

local
  tagged from ${fx.ociSingle.reference}
    prefer registry pullthrough when referencing this tag

  * ${at(fx.ociSingle.reference, fx.ociSingle.digest)}
      <age> ago

missing
  tagged from ${reg.host}/does/not-exist:v1

  ! error: Import failed (NotFound): ${failure}
      <age> ago
`,
    )
  })

  void it('describes the list tag and its isimage with the manifests', async () => {
    await stream()
    const list = env.fx.ociIndex
    const platform = (p: { os: string; architecture: string; variant?: string }) =>
      [p.os, p.architecture, ...(p.variant ? [p.variant] : [])].join('/')
    const width = Math.max(...list.children.map((c) => platform(c.platform).length)) + 1
    const stop = Math.ceil(width / 8) * 8
    const manifests = list.children.map(
      (c, i) =>
        `${i === 0 ? 'Manifests:\t' : '\t\t'}${platform(c.platform)}${'\t'.repeat(
          Math.ceil((stop - platform(c.platform).length) / 8),
        )}${c.digest}`,
    )
    const ref = list.reference
    const want = `Image Name:\t${list.digest}
Docker Image:\t${ref.slice(0, ref.lastIndexOf(':'))}@${list.digest}
Name:\t\t${list.digest}
Created:\t<age> ago
Layer Size:\t0B
Image Created:\t<age> ago
Author:\t\t<none>
Arch:\t\t<none>
${manifests.join('\n')}
Command:\t<none>
Working Dir:\t<none>
User:\t\t<none>
Exposes Ports:\t<none>
Docker Labels:\t<none>
`
    const istag = await suite.run(['describe', 'istag', 'app:list', '-n', NS])
    assert.equal(istag.stderr, '')
    assert.equal(normalise(istag.stdout), want)
    const isimage = await suite.run(['describe', `isimage/app@${list.digest}`, '-n', NS])
    assert.equal(isimage.stderr, '')
    assert.equal(normalise(isimage.stdout), want)
  })

  void it('prints kubectl errors for a missing stream and an unknown type', async () => {
    await stream()
    const missing = await suite.run(['describe', 'is', 'nope', '-n', NS])
    assert.equal(missing.stdout, '')
    assert.equal(
      missing.stderr,
      'Error from server (NotFound): imagestreams.image.openshift.io "nope" not found\n',
    )
    assert.equal(missing.code, 1)
    const bogus = await suite.run(['describe', 'bogus', 'x', '-n', NS])
    assert.equal(bogus.stderr, 'error: the server doesn\'t have a resource type "bogus"\n')
    assert.equal(bogus.code, 1)
  })

  void it('describes every stream whose name starts with NAME when NAME does not exist', async () => {
    await stream()
    const res = await suite.run(['describe', 'is', 'ap', '-n', NS])
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, /^Name:\t\t\tapp\n/)
    assert.ok(res.stdout.endsWith('\n\n'))
  })
})
