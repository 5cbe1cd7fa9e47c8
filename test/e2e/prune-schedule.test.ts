/**
 * The scheduled pruner end to end: a real `isctl serve --prune-schedule=1s` whose tag moved
 * between two images from a real registry prunes the old history item and its Image on its own,
 * and `/metrics` shows the runs and what they removed (docs/pruning.md#scheduled-pruning).
 */
import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { insecureImport, pollUntil, succeeded, useRegistry, useServe } from '../harness/index.js'

/** metricValue reads one sample of a Prometheus text exposition; 0 when it is not there yet. */
function metricValue(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `))
  return line === undefined ? 0 : Number(line.slice(sample.length + 1))
}

describe('scheduled pruning', () => {
  const env = useRegistry({ auth: 'none' })
  const suite = useServe(() => [
    '--prune-schedule=1s',
    '--prune-keep-tag-revisions=1',
    '--prune-keep-younger-than=0',
  ])
  const kubectlOk = (args: readonly string[], input?: string) =>
    succeeded(suite.kubectl(args, input))

  before(async () => {
    await kubectlOk(['create', 'namespace', 'team'])
  })

  it('trims a moved tag’s history and deletes its old Image, and the metrics count the runs', async () => {
    const old = env.fx.dockerSingle
    const current = env.fx.ociSingle
    await kubectlOk(['create', '-f', '-'], insecureImport('team', 'app', 'v1', old.reference))
    await kubectlOk(['create', '-f', '-'], insecureImport('team', 'app', 'v1', current.reference))

    const metrics = () => kubectlOk(['get', '--raw', '/metrics'])
    let text = ''
    await pollUntil(
      'two successful prune runs, one of them deleting an Image',
      async () => {
        text = await metrics()
        return (
          metricValue(text, 'imagestreams_pruned_objects_total{kind="image"}') >= 1 &&
          metricValue(text, 'imagestreams_prune_runs_total{result="success"}') >= 2
        )
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    )
    assert.equal(metricValue(text, 'imagestreams_pruned_objects_total{kind="item"}'), 1)
    assert.equal(metricValue(text, 'imagestreams_pruned_objects_total{kind="stream"}'), 1)
    assert.ok(metricValue(text, 'imagestreams_prune_last_success_timestamp_seconds') > 0)
    assert.equal(metricValue(text, 'imagestreams_prune_runs_total{result="failure"}'), 0)

    const is = JSON.parse(await kubectlOk(['get', 'is', 'app', '-n', 'team', '-o', 'json'])) as {
      status: { tags: { tag: string; items: { image: string }[] }[] }
    }
    assert.deepEqual(
      is.status.tags.map((t) => [t.tag, t.items.map((i) => i.image)]),
      [['v1', [current.digest]]],
    )
    const gone = await suite.kubectl(['get', 'image', old.digest])
    assert.notEqual(gone.code, 0)
    assert.match(gone.stderr, /NotFound|not found/)
    await kubectlOk(['get', 'image', current.digest])
    const logged = suite.server.lines().find((l) => l.msg === 'scheduled prune finished')
    assert.ok(logged, 'a run logs its summary')
  })
})
