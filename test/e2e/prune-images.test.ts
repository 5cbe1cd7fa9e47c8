/**
 * `isctl adm prune images` on what the seed describes, against a real `isctl serve` and a real
 * plain-HTTP registry whose tags move as real skopeo pushes new images to them: keep-younger-than
 * and keep-tag-revisions honoured, an image a pod in a `--workloads` file uses kept, a
 * PreserveOriginal list kept whole when a pod uses only one child digest (the limitation
 * OpenShift's pruner documents) while an unused old list goes with all its children, and an
 * image the integrated registry served a day earlier kept until its pull falls out of
 * `--keep-pulled-within`. Runs that need time to have passed use the verb in-process with a
 * later clock (docs/pruning.md).
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import type { Image, ImageStream } from '../../src/api/index.js'
import { configurePruneImages } from '../../src/cli/commands/prune-images.js'
import type { PrunePlan } from '../../src/pruner/index.js'
import { runVerb } from '../../src/cli/testing/run-verb.js'
import {
  adminCredentials,
  httpRequest,
  makeAgent,
  moveTag,
  pollUntil,
  succeeded,
  useRegistry,
  useServe,
  type FixtureChild,
  type ServeSuite,
} from '../harness/index.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** isiJSON is an ImageStreamImport of one tag from the plain-HTTP registry. */
function isiJSON(ns: string, stream: string, tag: string, from: string, mode = 'Legacy'): string {
  return JSON.stringify({
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStreamImport',
    metadata: { name: stream, namespace: ns },
    spec: {
      import: true,
      images: [
        {
          from: { kind: 'DockerImage', name: from },
          to: { name: tag },
          importPolicy: { insecure: true, importMode: mode },
        },
      ],
    },
  })
}

/** runningPod is `kubectl get pod -o json` of a running pod whose one container runs `image`. */
function runningPod(ns: string, name: string, image: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: { containers: [{ name: 'main', image }] },
    status: { phase: 'Running' },
  }
}

/** tools are what every block needs from its own server. */
function tools(suite: ServeSuite) {
  const k = (args: readonly string[], input?: string) => succeeded(suite.kubectl(args, input))
  return {
    k,
    importTag: (ns: string, stream: string, tag: string, from: string, mode?: string) =>
      k(['create', '-f', '-'], isiJSON(ns, stream, tag, from, mode)),
    history: async (ns: string, stream: string, tag: string) => {
      const is = JSON.parse(await k(['get', 'is', stream, '-n', ns, '-o', 'json'])) as ImageStream
      return is.status?.tags?.find((t) => t.tag === tag)?.items?.map((i) => i.image)
    },
    image: async (name: string): Promise<Image | undefined> => {
      const res = await suite.kubectl(['get', 'image', name, '-o', 'json'])
      if (res.code === 0) return JSON.parse(res.stdout) as Image
      assert.match(res.stderr, /NotFound/)
      return undefined
    },
    /** prune runs the verb in-process, `laterMs` after now, against this server. */
    prune: (args: readonly string[], laterMs: number) =>
      runVerb(configurePruneImages, args, {
        kubeconfig: suite.kubeconfig,
        now: new Date(Date.now() + laterMs),
      }),
    writeWorkloads: (name: string, objects: unknown[]) => {
      const dir = join(suite.home, 'workloads')
      mkdirSync(dir, { recursive: true })
      const file = join(dir, name)
      writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }))
      return file
    },
  }
}

describe('pruning images', () => {
  const env = useRegistry({ auth: 'none' })
  const platformImages = (): FixtureChild[] =>
    env.fx.ociIndex.children.filter((c) => !c.attestation)

  describe('a tag the upstream moved four times', () => {
    const suite = useServe()
    const t = tools(suite)
    /** Oldest first: the images the upstream tag pointed at, one after the other. */
    let pushed: FixtureChild[]

    before(async () => {
      await t.k(['create', 'namespace', 'team'])
      pushed = platformImages()
      for (const image of pushed) {
        await moveTag(env.reg, `${env.fx.ociIndex.repository}@${image.digest}`, 'moving/app:latest')
        await t.importTag('team', 'app', 'latest', `${env.reg.host}/moving/app:latest`)
      }
      assert.deepEqual(
        await t.history('team', 'app', 'latest'),
        pushed.map((i) => i.digest).reverse(),
      )
    })

    it('keeps everything younger than --keep-younger-than (60m by default)', async () => {
      const res = await suite.run(['adm', 'prune', 'images', '--keep-tag-revisions=1', '--confirm'])
      assert.equal(res.code, 0, res.stderr)
      assert.equal(res.stdout, 'Summary: deleted 0 objects\n')
      assert.equal((await t.history('team', 'app', 'latest'))?.length, 4)
    })

    it('keeps --keep-tag-revisions items and the image a pod uses; the dry run said exactly that', async () => {
      const [used, dropped] = pushed as [FixtureChild, FixtureChild]
      const workloads = t.writeWorkloads('pods.json', [
        runningPod('web', 'frontend', `${env.reg.host}/moving/app@${used.digest}`),
      ])
      const args = ['--keep-tag-revisions=2', '--keep-pulled-within=0', '--workloads', workloads]
      const plan = JSON.parse(
        (await t.prune([...args, '-o', 'json'], 2 * HOUR)).stdout,
      ) as PrunePlan
      const items = plan.streams.find((s) => s.name === 'app')?.items ?? []
      assert.deepEqual(
        items.map((i) => [i.image, i.decision]),
        [
          [pushed[3]!.digest, { action: 'keep', reasons: ['revision'] }],
          [pushed[2]!.digest, { action: 'keep', reasons: ['revision'] }],
          [dropped.digest, { action: 'delete', reason: 'pruned' }],
          [used.digest, { action: 'keep', reasons: ['workload'] }],
        ],
      )
      const dry = await t.prune(args, 2 * HOUR)
      assert.equal(dry.code, 0, dry.stderr)
      assert.match(dry.stderr, /^Dry run enabled - no modifications will be made/)
      const confirmed = await t.prune([...args, '--confirm'], 2 * HOUR)
      assert.equal(confirmed.code, 0, confirmed.stderr)
      assert.equal(confirmed.stdout, dry.stdout)
      const lines = confirmed.stdout.trimEnd().split('\n')
      assert.equal(lines[0], 'Deleting 1 items from image stream team/app')
      assert.ok(lines.includes(`Deleting image ${dropped.digest}`), confirmed.stdout)
      assert.match(
        lines.at(-1)!,
        /^Summary: deleted 1 image object\(s\), deleted 1 image stream tag item\(s\), updated 1 image stream\(s\), deleted \d+ blob\(s\)$/,
      )

      assert.deepEqual(await t.history('team', 'app', 'latest'), [
        pushed[3]!.digest,
        pushed[2]!.digest,
        used.digest,
      ])
      assert.equal(await t.image(dropped.digest), undefined)
      assert.ok(await t.image(used.digest))
    })
  })

  describe('manifest lists imported whole', () => {
    const suite = useServe()
    const t = tools(suite)
    /** The children of a list that have an Image (an attestation entry has none). */
    const childrenOf = async (list: string) => {
      const digests = ((await t.image(list))?.dockerImageManifests ?? []).map((m) => m.digest)
      const present = await Promise.all(digests.map(async (d) => (await t.image(d)) !== undefined))
      return digests.filter((_, i) => present[i])
    }
    let ociChildren: string[]
    let dockerChildren: string[]

    before(async () => {
      await t.k(['create', 'namespace', 'team'])
      const host = env.reg.host
      await t.importTag('team', 'lists', 'v1', `${host}/multi/oci-app:v1`, 'PreserveOriginal')
      await t.importTag('team', 'lists', 'v1', `${host}/multi/docker-app:v1`, 'PreserveOriginal')
      await t.importTag('team', 'lists', 'v1', env.fx.ociSingle.reference)
      ociChildren = await childrenOf(env.fx.ociIndex.digest)
      dockerChildren = await childrenOf(env.fx.dockerList.digest)
      assert.equal(ociChildren.length, 4)
      assert.equal(dockerChildren.length, 4)
    })

    it('keeps a list, its history item and every child when a pod uses one child digest; an unused old list goes whole', async () => {
      const amd64 = platformImages().find((c) => c.platform.architecture === 'amd64')!
      assert.ok(ociChildren.includes(amd64.digest))
      const registry = new URL(suite.server.address).host
      const workloads = t.writeWorkloads('pods.json', [
        runningPod('team', 'api', `${registry}/team/lists@${amd64.digest}`),
      ])
      const res = await t.prune(
        ['--keep-tag-revisions=1', '--keep-pulled-within=0', '--workloads', workloads, '--confirm'],
        2 * HOUR,
      )
      assert.equal(res.code, 0, res.stderr)
      assert.ok(
        res.stdout.startsWith('Deleting 1 items from image stream team/lists\n'),
        res.stdout,
      )

      assert.deepEqual(await t.history('team', 'lists', 'v1'), [
        env.fx.ociSingle.digest,
        env.fx.ociIndex.digest,
      ])
      assert.ok(await t.image(env.fx.ociIndex.digest), 'the used child’s list stays')
      for (const child of ociChildren) assert.ok(await t.image(child), `sibling ${child} stays`)
      assert.equal(await t.image(env.fx.dockerList.digest), undefined)
      for (const child of dockerChildren) {
        assert.equal(await t.image(child), undefined, `child ${child} of the unused list goes`)
      }
    })
  })

  describe('pulls through the integrated registry', () => {
    const suite = useServe()
    const t = tools(suite)

    before(async () => {
      await t.k(['create', 'namespace', 'team'])
      await t.importTag('team', 'tool', 'v1', env.fx.ociSingle.reference)
      await t.importTag('team', 'tool', 'v1', env.fx.dockerSingle.reference)
    })

    it('keeps an image pulled by digest a day ago, and prunes it once the pull is older than --keep-pulled-within', async () => {
      const pulled = env.fx.ociSingle.digest
      const admin = adminCredentials(suite.kubeconfig)
      const res = await httpRequest(`${admin.server}/v2/team/tool/manifests/${pulled}`, {
        headers: {
          authorization: `Bearer ${admin.token}`,
          accept: env.fx.ociSingle.mediaType,
        },
        dispatcher: makeAgent(admin.caPem),
      })
      assert.equal(res.status, 200)
      await pollUntil('the pull recorded on the Image', async () =>
        Boolean((await t.image(pulled))?.metadata.annotations?.['imagestreams.io/last-pulled']),
      )
      const args = ['--keep-tag-revisions=1', '--confirm']

      const dayLater = await t.prune(args, DAY)
      assert.equal(dayLater.code, 0, dayLater.stderr)
      assert.equal(dayLater.stdout, 'Summary: deleted 0 objects\n')
      assert.deepEqual(await t.history('team', 'tool', 'v1'), [env.fx.dockerSingle.digest, pulled])

      const weekLater = await t.prune(args, 8 * DAY)
      assert.equal(weekLater.code, 0, weekLater.stderr)
      assert.ok(weekLater.stdout.includes(`Deleting image ${pulled}\n`), weekLater.stdout)
      assert.deepEqual(await t.history('team', 'tool', 'v1'), [env.fx.dockerSingle.digest])
      assert.equal(await t.image(pulled), undefined)
    })
  })
})
