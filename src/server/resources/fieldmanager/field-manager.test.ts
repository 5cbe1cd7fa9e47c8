import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RESOURCES, type ManagedFieldsEntry } from '../../../api/index.js'
import { StatusError } from '../../status.js'
import { trackApply, trackUpdate, type FieldManagerScope } from './field-manager.js'
import { managerFromUserAgent } from './managed-fields.js'

type Obj = Record<string, unknown> & { metadata: Record<string, unknown> }

const scope = (now = '2026-12-07T03:00:00Z', subresource?: string): FieldManagerScope => ({
  kind: 'ImageStream',
  apiVersion: 'image.openshift.io/v1',
  schema: RESOURCES.imagestreams.schema,
  now,
  ...(subresource ? { subresource } : {}),
})

function stream(
  labels: Record<string, string>,
  tags: string[] = [],
  extra: Record<string, unknown> = {},
): Obj {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: {
      name: 'is',
      namespace: 'ns',
      ...(Object.keys(labels).length ? { labels } : {}),
      ...extra,
    },
    ...(tags.length ? { spec: { tags: tags.map((name) => ({ name })) } } : {}),
  }
}

const entries = (o: Obj) => o.metadata.managedFields as ManagedFieldsEntry[] | undefined
const summary = (o: Obj) =>
  entries(o)?.map((e) => [e.manager, e.operation, JSON.stringify(e.fieldsV1)].join(' '))
const stored = (o: Obj): Obj => ({ ...o, metadata: { ...o.metadata, uid: 'u1' } })

function apply(
  live: Obj | undefined,
  config: Obj,
  manager: string,
  force = false,
  now?: string,
): Obj {
  return trackApply(scope(now), live, config, config, manager, force) as Obj
}

function conflictOf(fn: () => unknown): StatusError {
  try {
    fn()
  } catch (err) {
    if (err instanceof StatusError) return err
    throw err
  }
  throw new Error('no conflict')
}

describe('trackUpdate', () => {
  it('a create records the creator, with the maps and items it added', () => {
    const created = trackUpdate(
      scope(),
      undefined,
      stream({ a: '1' }, ['v1']),
      'kubectl-create',
    ) as Obj
    assert.deepEqual(entries(created), [
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'image.openshift.io/v1',
        time: '2026-12-07T03:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } },
          'f:spec': { 'f:tags': { '.': {}, 'k:{"name":"v1"}': { '.': {}, 'f:name': {} } } },
        },
      },
    ])
  })

  it('an update takes what it changes from other managers and merges into its own entry', () => {
    const created = stored(trackUpdate(scope(), undefined, stream({ a: '1', b: '2' }), 'x') as Obj)
    const next = { ...created, metadata: { ...created.metadata, labels: { a: '9', b: '2' } } }
    const updated = trackUpdate(scope('2026-12-07T04:00:00Z'), created, next, 'y') as Obj
    assert.deepEqual(summary(updated), [
      'x Update {"f:metadata":{"f:labels":{".":{},"f:b":{}}}}',
      'y Update {"f:metadata":{"f:labels":{"f:a":{}}}}',
    ])
    const unchanged = trackUpdate(
      scope('2026-12-07T05:00:00Z'),
      stored(updated),
      stored(updated),
      'z',
    ) as Obj
    assert.deepEqual(
      entries(unchanged),
      entries(updated),
      'a no-op records nobody and keeps the times',
    )
  })

  it('an object without managedFields stays untracked; [{}] clears them; a subresource cannot set them', () => {
    const untracked = stream({ a: '1' }, [], { uid: 'u1' })
    assert.equal(
      entries(trackUpdate(scope(), untracked, stream({ a: '2' }), 'x') as Obj),
      undefined,
    )
    const tracked = stored(trackUpdate(scope(), undefined, stream({ a: '1' }), 'x') as Obj)
    const reset = { ...tracked, metadata: { ...tracked.metadata, managedFields: [{}] } }
    assert.equal(entries(trackUpdate(scope(), tracked, reset, 'x') as Obj), undefined)
    const forged = { ...tracked, metadata: { ...tracked.metadata, managedFields: [] } }
    const viaStatus = trackUpdate(scope(undefined, 'status'), tracked, forged, 'x') as Obj
    assert.deepEqual(entries(viaStatus), entries(tracked))
  })

  it('keeps at most ten Update entries: the oldest merge into ancient-changes', () => {
    let object = stored(
      trackUpdate(scope('2026-12-07T00:00:00Z'), undefined, stream({ m0: 'v' }), 'm0') as Obj,
    )
    for (let i = 1; i <= 11; i++) {
      const next = {
        ...object,
        metadata: {
          ...object.metadata,
          labels: { ...(object.metadata.labels as object), [`m${i}`]: 'v' },
        },
      }
      object = stored(
        trackUpdate(
          scope(`2026-12-07T00:00:${String(i).padStart(2, '0')}Z`),
          object,
          next,
          `m${i}`,
        ) as Obj,
      )
    }
    const managers = entries(object)?.map((e) => e.manager) ?? []
    assert.equal(managers.length, 10)
    assert.ok(managers.includes('ancient-changes'))
    assert.ok(!managers.includes('m0') && !managers.includes('m1') && !managers.includes('m2'))
  })
})

describe('trackApply', () => {
  const a = apply(undefined, stream({ team: 'a', shared: 's' }, ['v1', 'a-only']), 'a')
  const ab = apply(stored(a), stream({ shared: 's', env: 'b' }, ['v1']), 'b')

  it('records each applier with exactly its configuration', () => {
    assert.deepEqual(summary(ab), [
      'a Apply {"f:metadata":{"f:labels":{"f:shared":{},"f:team":{}}},"f:spec":{"f:tags":{"k:{\\"name\\":\\"a-only\\"}":{".":{},"f:name":{}},"k:{\\"name\\":\\"v1\\"}":{".":{},"f:name":{}}}}}',
      'b Apply {"f:metadata":{"f:labels":{"f:env":{},"f:shared":{}}},"f:spec":{"f:tags":{"k:{\\"name\\":\\"v1\\"}":{".":{},"f:name":{}}}}}',
    ])
  })

  const conflicts: { name: string; config: Obj; message: string; fields: string[] }[] = [
    {
      name: 'one conflict',
      config: stream({ team: 'c' }),
      message: 'Apply failed with 1 conflict: conflict with "a": .metadata.labels.team',
      fields: ['.metadata.labels.team'],
    },
    {
      name: 'conflicts grouped by manager',
      config: stream({ team: 'c', shared: 'c' }),
      message:
        'Apply failed with 3 conflicts: conflicts with "a":\n- .metadata.labels.shared\n- .metadata.labels.team\nconflicts with "b":\n- .metadata.labels.shared',
      fields: ['.metadata.labels.shared', '.metadata.labels.team', '.metadata.labels.shared'],
    },
  ]
  for (const c of conflicts) {
    it(`refuses ${c.name} with the apiserver's 409`, () => {
      const err = conflictOf(() => apply(stored(ab), c.config, 'c'))
      const status = err.toStatus()
      assert.equal(status.code, 409)
      assert.equal(status.reason, 'Conflict')
      assert.equal(status.message, c.message)
      assert.deepEqual(
        status.details?.causes?.map((x) => [x.reason, x.field]),
        c.fields.map((f) => ['FieldManagerConflict', f]),
      )
    })
  }

  it('force takes the field; an applier dropping a field removes it unless another owns it', () => {
    const forced = apply(stored(ab), stream({ team: 'c' }), 'c', true)
    assert.deepEqual(forced.metadata.labels, { team: 'c', shared: 's', env: 'b' })
    const dropped = apply(stored(forced), stream({}), 'a')
    assert.deepEqual(dropped.metadata.labels, { team: 'c', shared: 's', env: 'b' })
    assert.deepEqual(
      (dropped.spec as { tags: { name: string }[] }).tags.map((t) => t.name),
      ['v1'],
    )
    assert.deepEqual(
      entries(dropped)?.map((e) => e.manager),
      ['b', 'c'],
    )
  })

  it('the first apply to an untracked object attributes what is there to before-first-apply', () => {
    const untracked = stream({ team: 'x' }, [], { uid: 'u1' })
    const err = conflictOf(() => apply(untracked, stream({ team: 'a' }), 'a'))
    assert.equal(
      err.message,
      'Apply failed with 1 conflict: conflict with "before-first-apply" using image.openshift.io/v1: .metadata.labels.team',
    )
    const taken = apply(untracked, stream({ team: 'a', more: 'y' }), 'a', true)
    // The labels map itself stays the migration's: only the label was taken.
    assert.deepEqual(summary(taken), [
      'a Apply {"f:metadata":{"f:labels":{"f:more":{},"f:team":{}}}}',
      'before-first-apply Update {"f:metadata":{"f:labels":{}}}',
    ])
  })

  it('kubectl may take what its client-side apply annotation set, and keeps the annotation current', () => {
    const lastApplied = `${JSON.stringify(stream({ team: 'x' }))}\n`
    const csa = stored(
      trackUpdate(
        scope(),
        undefined,
        stream({ team: 'x' }, [], {
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied },
        }),
        'kubectl-client-side-apply',
      ) as Obj,
    )
    const ssa = apply(csa, stream({ team: 'y' }), 'kubectl')
    assert.deepEqual(ssa.metadata.labels, { team: 'y' })
    assert.equal(
      (ssa.metadata.annotations as Record<string, string>)[
        'kubectl.kubernetes.io/last-applied-configuration'
      ],
      '{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"labels":{"team":"y"},"name":"is","namespace":"ns"}}\n',
    )
    const other = conflictOf(() => apply(csa, stream({ team: 'y' }), 'someone'))
    assert.match(
      other.message,
      /conflict with "kubectl-client-side-apply" using image.openshift.io\/v1/,
    )
  })

  it('names a subresource writer in its entry and in conflicts', () => {
    const viaStatus = trackUpdate(
      scope(undefined, 'status'),
      stored(a),
      { ...stored(a), metadata: { ...stored(a).metadata, labels: { team: 's', shared: 's' } } },
      'importer',
    ) as Obj
    const entry = entries(viaStatus)?.find((e) => e.manager === 'importer')
    assert.equal(entry?.subresource, 'status')
    const err = conflictOf(() => apply(stored(viaStatus), stream({ team: 'c' }), 'c'))
    assert.equal(
      err.message,
      'Apply failed with 1 conflict: conflict with "importer" with subresource "status" using image.openshift.io/v1: .metadata.labels.team',
    )
  })

  it('refuses a configuration of another kind or with managedFields', () => {
    assert.throws(
      () => apply(undefined, { ...stream({}), kind: 'Secret' }, 'a'),
      /invalid object type: image.openshift.io\/v1, Kind=Secret/,
    )
    assert.throws(
      () => apply(undefined, stream({}, [], { managedFields: [] }), 'a'),
      /metadata.managedFields must be nil/,
    )
  })

  it('an apply that changes nothing keeps the applier time', () => {
    const again = apply(
      stored(ab),
      stream({ shared: 's', env: 'b' }, ['v1']),
      'b',
      false,
      '2027-01-01T00:00:00Z',
    )
    assert.deepEqual(entries(again), entries(ab))
  })
})

describe('managerFromUserAgent', () => {
  const cases: [string | undefined, string][] = [
    ['kubectl/v1.32.0 (linux/amd64) kubernetes/abc', 'kubectl'],
    ['OpenAPI-Generator/22.6.0/python', 'OpenAPI-Generator'],
    [undefined, ''],
    ['tab\there/1', 'tabhere'],
    ['x'.repeat(200), 'x'.repeat(128)],
  ]
  for (const [ua, want] of cases)
    it(JSON.stringify(ua), () => assert.equal(managerFromUserAgent(ua), want))
})
