/**
 * Events end to end: imports into a stream through a real `isctl serve` from a real plain-HTTP
 * registry, first failing (twice, the same way) and then succeeding, then what users read with
 * real kubectl 1.32 (`get events`, `events --for`, `describe`, the events.k8s.io/v1 view,
 * discovery) and with Python's official client. No timing assertions: the server writes events
 * in batches, so every read polls until they are there.
 */
import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { insecureImport, python, useRegistry, useServe } from '../harness/index.js'
import { pollUntil } from '../harness/process.js'

const NS = 'ev'
const WAIT_MS = 60_000

/** rows splits kubectl's table output into its header and rows of cells. */
function rows(stdout: string): { header: string[]; rows: string[][] } {
  const [header = '', ...rest] = stdout.trimEnd().split('\n')
  const cells = (line: string) => line.trim().split(/\s{2,}/)
  return { header: cells(header), rows: rest.map(cells) }
}

interface EventsV1List {
  kind: string
  apiVersion: string
  items: {
    apiVersion?: string
    regarding: { kind: string; name: string; uid?: string }
    reason: string
    note: string
    type: string
    deprecatedCount: number
    reportingController: string
  }[]
}

describe('Events of imports, read with kubectl and Python', () => {
  const plain = useRegistry({ auth: 'none' })
  const suite = useServe()
  const kubectlOk = async (args: readonly string[], input?: string) => {
    const res = await suite.kubectl(args, input)
    assert.equal(res.code, 0, `kubectl ${args.join(' ')}: ${res.stderr}`)
    return res.stdout
  }
  const importTag = (from: string) =>
    kubectlOk(['create', '-f', '-', '-o', 'name'], insecureImport(NS, 'app', '1.0', from))
  const missing = () => `${plain.reg.host}/single/oci-tool:nope`
  const present = () => `${plain.reg.host}/single/oci-tool:1.0`

  before(async () => {
    await kubectlOk(['create', 'namespace', NS])
    await importTag(missing())
    // The second failure must be a second occurrence, not part of the first batch.
    await pollUntil(
      'the first failure event',
      async () => (await kubectlOk(['get', 'events', '-n', NS, '-o', 'name'])).trim() !== '',
      { timeoutMs: WAIT_MS },
    )
    await importTag(missing())
    await importTag(present())
    await pollUntil(
      'three events, the failure counted twice',
      async () => {
        const list = JSON.parse(
          await kubectlOk(['get', 'events.v1.events.k8s.io', '-n', NS, '-o', 'json']),
        ) as EventsV1List
        return (
          list.items.length === 3 &&
          list.items.some((e) => e.reason === 'ImportFailed' && e.deprecatedCount === 2)
        )
      },
      { timeoutMs: WAIT_MS },
    )
  })

  it('kubectl get events prints the server-side columns', async () => {
    const table = rows(await kubectlOk(['get', 'events', '-n', NS]))
    assert.deepEqual(table.header, ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'])
    const byReason = new Map(table.rows.map((r) => [r[2], r]))
    const failed = byReason.get('ImportFailed')
    assert.ok(failed, JSON.stringify(table.rows))
    assert.equal(failed[1], 'Warning')
    assert.equal(failed[3], 'imagestream/app')
    assert.match(
      failed[4] ?? '',
      new RegExp(`^Import of "${missing()}" into tag "1.0" failed \\(NotFound\\): `),
    )
    assert.deepEqual(byReason.get('ImportSucceeded')?.slice(1), [
      'Normal',
      'ImportSucceeded',
      'imagestream/app',
      `Import of "${present()}" into tag "1.0" succeeded after failing`,
    ])
    assert.match(
      byReason.get('Imported')?.[4] ?? '',
      new RegExp(`^Imported "${present()}" into tag "1.0": sha256:[0-9a-f]{64}$`),
    )
    const wide = rows(await kubectlOk(['get', 'events', '-n', NS, '-o', 'wide']))
    assert.deepEqual(wide.header, [
      'LAST SEEN',
      'TYPE',
      'REASON',
      'OBJECT',
      'SUBOBJECT',
      'SOURCE',
      'MESSAGE',
      'FIRST SEEN',
      'COUNT',
      'NAME',
    ])
  })

  it('kubectl events --for imagestream/NAME lists the stream’s events, repeats counted', async () => {
    const out = await kubectlOk(['events', '-n', NS, '--for', 'imagestream/app'])
    const table = rows(out)
    assert.deepEqual(table.header, ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'])
    assert.equal(table.rows.length, 3, out)
    const failed = table.rows.find((r) => r[2] === 'ImportFailed')
    assert.match(failed?.[0] ?? '', /\(x2 over /)
    assert.equal(failed?.[3], 'ImageStream/app')
    const none = await suite.kubectl(['events', '-n', NS, '--for', 'imagestream/other'])
    assert.equal(none.code, 0, none.stderr)
    assert.match(none.stderr, /No events found in ev namespace/)
  })

  it('kubectl describe shows them (selected by the stream’s uid)', async () => {
    const out = await kubectlOk(['describe', 'is', 'app', '-n', NS])
    const events = out.slice(out.indexOf('Events:'))
    assert.match(events, /Warning\s+ImportFailed\s+.*image-import-controller/)
    assert.match(events, /Normal\s+Imported\s/)
  })

  it('events.k8s.io/v1 serves the same objects with its own field names', async () => {
    const list = JSON.parse(
      await kubectlOk(['get', 'events.v1.events.k8s.io', '-n', NS, '-o', 'json']),
    ) as EventsV1List
    const failed = list.items.find((e) => e.reason === 'ImportFailed')
    assert.ok(failed)
    assert.equal(failed.apiVersion, 'events.k8s.io/v1')
    assert.equal(failed.regarding.kind, 'ImageStream')
    assert.equal(failed.regarding.name, 'app')
    assert.equal(failed.type, 'Warning')
    assert.equal(failed.reportingController, 'image-import-controller')
    assert.match(failed.note, /failed \(NotFound\)/)
    const table = rows(await kubectlOk(['get', 'events.v1.events.k8s.io', '-n', NS]))
    assert.deepEqual(table.header, ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'])
    assert.equal(table.rows.length, 3)
  })

  it('kubectl create -f writes Events through either API, validated by the server', async () => {
    const core = `apiVersion: v1
kind: Event
metadata:
  name: by-hand
  namespace: ${NS}
involvedObject:
  kind: ImageStream
  name: app
  namespace: ${NS}
reason: Noted
message: written through core v1
type: Normal
`
    assert.equal((await kubectlOk(['create', '-f', '-'], core)).trim(), 'event/by-hand created')
    const newer = `apiVersion: events.k8s.io/v1
kind: Event
metadata:
  name: by-hand-v1
  namespace: ${NS}
eventTime: "2026-01-01T00:00:00.000000Z"
reportingController: example.com/checker
reportingInstance: checker-1
action: Check
reason: Checked
note: written through events.k8s.io/v1
type: Normal
regarding:
  kind: ImageStream
  name: app
  namespace: ${NS}
`
    assert.equal(
      (await kubectlOk(['create', '-f', '-'], newer)).trim(),
      'event.events.k8s.io/by-hand-v1 created',
    )
    const core1 = JSON.parse(
      await kubectlOk(['get', 'event', 'by-hand-v1', '-n', NS, '-o', 'json']),
    ) as { message: string }
    assert.equal(core1.message, 'written through events.k8s.io/v1')
    const bogus = await suite.kubectl(
      ['create', '-f', '-'],
      newer.replace('by-hand-v1', 'bogus').replace('note:', 'bogusField: x\nnote:'),
    )
    assert.notEqual(bogus.code, 0)
    assert.match(bogus.stderr, /unknown field "bogusField"/)
    await kubectlOk(['delete', 'events', 'by-hand', 'by-hand-v1', '-n', NS])
  })

  it('discovery lists events in core v1 and events.k8s.io/v1', async () => {
    const out = await kubectlOk(['api-resources', '--no-headers'])
    const lines = out.split('\n').map((l) => l.trim().split(/\s+/))
    const events = lines.filter((l) => l[0] === 'events').map((l) => l.slice(1))
    assert.deepEqual(events.sort(), [
      ['ev', 'events.k8s.io/v1', 'true', 'Event'],
      ['ev', 'v1', 'true', 'Event'],
    ])
  })

  it('Python’s client lists them with CoreV1Api.list_namespaced_event', async () => {
    const script = `
import sys
from kubernetes import client, config
config.load_kube_config()
events = client.CoreV1Api().list_namespaced_event(sys.argv[1], field_selector='involvedObject.kind=ImageStream,type=Warning')
for e in events.items:
    print(e.type, e.reason, e.count, e.involved_object.kind, e.involved_object.name, e.source.component)
`
    const res = await python(script, { kubeconfig: suite.kubeconfig, args: [NS] })
    assert.equal(res.code, 0, res.stderr)
    assert.equal(
      res.stdout.trim(),
      'Warning ImportFailed 2 ImageStream app image-import-controller',
    )
  })
})

describe('isctl serve --event-ttl', () => {
  const suite = useServe(() => ['--event-ttl=2s'])

  it('deletes an Event once the TTL has passed since it was last seen', async () => {
    const ns = 'ttl'
    assert.equal((await suite.kubectl(['create', 'namespace', ns])).code, 0)
    const event = `apiVersion: v1
kind: Event
metadata:
  name: short-lived
  namespace: ${ns}
involvedObject:
  kind: ImageStream
  name: app
  namespace: ${ns}
reason: Noted
message: kept two seconds
type: Normal
`
    const created = await suite.kubectl(['create', '-f', '-'], event)
    assert.equal(created.code, 0, created.stderr)
    // Generous: the default TTL (an hour) would keep it far beyond this wait.
    await pollUntil(
      'the Event to expire',
      async () => {
        const res = await suite.kubectl(['get', 'events', '-n', ns, '-o', 'name'])
        return res.code === 0 && res.stdout.trim() === ''
      },
      { timeoutMs: WAIT_MS, intervalMs: 250 },
    )
  })
})
