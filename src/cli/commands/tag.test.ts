/** Unit tests of `isctl tag`: source parsing and detection, validation messages, request bodies, the request sequence. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ImageStream, TagReference } from '../../api/index.js'
import { ApiError } from '../client/api-errors.js'
import {
  detectSourceKind,
  executeTag,
  exactRef,
  parseDestination,
  parseSource,
  planTag,
  resolveTagSource,
  sourceKindFlag,
  tagBody,
  tagMessage,
  type TagClient,
  type TagFlags,
  type TagPlan,
} from './tag.js'

const DIGEST = `sha256:${'a'.repeat(64)}`
const DIGEST2 = `sha256:${'b'.repeat(64)}`

type SetPlan = Extract<TagPlan, { action: 'set' }>

function setPlan(operands: string[], flags: TagFlags = {}, ns = 'default'): SetPlan {
  const plan = planTag(operands, flags, ns)
  assert.equal(plan.action, 'set')
  return plan
}

describe('parseSource and detectSourceKind', () => {
  const rows: [string, string, string, string, string, string, string][] = [
    // input, registry, namespace, name, tag, id, kind
    ['quay.io/team/app:1', 'quay.io', 'team', 'app', '1', '', 'DockerImage'],
    ['localhost/app', 'localhost', '', 'app', '', '', 'DockerImage'],
    ['127.0.0.1:5000/a/b/c:v', '127.0.0.1:5000', 'a', 'b/c', 'v', '', 'DockerImage'],
    [`is@${DIGEST}`, '', '', 'is', '', DIGEST, 'ImageStreamImage'],
    ['ns/is:tag', '', 'ns', 'is', 'tag', '', 'ImageStreamTag'],
    ['library/nginx:1', '', 'library', 'nginx', '1', '', 'ImageStreamTag'],
    ['nginx', '', '', 'nginx', '', '', 'DockerImage'],
  ]
  for (const [input, registry, namespace, name, tag, id, kind] of rows) {
    it(`${input} → ${kind}`, () => {
      const ref = parseSource(input)
      assert.deepEqual(ref, { registry, namespace, name, tag, id })
      assert.equal(detectSourceKind(ref), kind)
    })
  }
  it('refuses what is not a pull spec', () => {
    assert.throws(
      () => parseSource('Bad Name'),
      /^CliError: invalid SOURCE: invalid image reference/,
    )
  })
  it('renders exactly what was given, keeping a tag and a digest together', () => {
    assert.equal(exactRef(parseSource('quay.io/a/b:1')), 'quay.io/a/b:1')
    assert.equal(exactRef(parseSource(`quay.io/b:1@${DIGEST}`)), `quay.io/b:1@${DIGEST}`)
    assert.equal(exactRef(parseSource('nginx')), 'nginx')
  })
  it('reads --source in every spelling, case-insensitively', () => {
    assert.equal(sourceKindFlag('istag'), 'ImageStreamTag')
    assert.equal(sourceKindFlag('ImageStreamTag'), 'ImageStreamTag')
    assert.equal(sourceKindFlag('isimage'), 'ImageStreamImage')
    assert.equal(sourceKindFlag('Docker'), 'DockerImage')
    assert.equal(sourceKindFlag('dockerimage'), 'DockerImage')
  })
  it('splits destinations, other namespaces included', () => {
    assert.deepEqual(parseDestination('other/is:t', 'default'), {
      namespace: 'other',
      nameAndTag: 'is:t',
      stream: 'is',
      tag: 't',
    })
    assert.equal(parseDestination('is:t', 'default').namespace, 'default')
  })
})

describe('planTag validation messages (in oc order)', () => {
  const TAG_RULE =
    "tags must start with an alphanumeric character followed by alphanumeric, '.' or '-' characters, and have a maximum of 128 characters"
  const rows: [string, string[], TagFlags, string][] = [
    [
      'no operands',
      [],
      {},
      'UsageError: you must specify a source and at least one destination or one or more tags to delete',
    ],
    [
      'unknown --source',
      ['a:1', 'b:1'],
      { source: 'image' },
      'UsageError: invalid source "image"; valid values are docker, dockerimage, imagestreamimage, imagestreamtag, isimage, istag',
    ],
    [
      'registry with a stream source',
      ['quay.io/a/b:1', 'b:1'],
      { source: 'istag' },
      'CliError: server in SOURCE is only allowed when providing a container image',
    ],
    [
      'istag source without tag',
      ['a', 'b:1'],
      { source: 'imagestreamtag' },
      'CliError: --source=ImageStreamTag requires a valid <name>:<tag> in SOURCE',
    ],
    [
      'isimage source without id',
      ['a:1', 'b:1'],
      { source: 'isimage' },
      'CliError: --source=ImageStreamImage requires a valid <name>@<id> in SOURCE',
    ],
    ['bad destination', ['a:1', 'x/y/z:1'], {}, 'CliError: invalid image stream "x/y/z:1"'],
    [
      'empty destination namespace',
      ['a:1', '/z:1'],
      {},
      'CliError: invalid namespace "" for image stream "/z:1"',
    ],
    [
      'empty destination name',
      ['a:1', 'ns/'],
      {},
      'CliError: invalid name "" for image stream "ns/"',
    ],
    [
      'alias with delete',
      ['a:1'],
      { delete: true, alias: true },
      'CliError: --alias and --delete may not be both specified',
    ],
    [
      'bad reference policy',
      ['a:1', 'b:1'],
      { referencePolicy: 'Local' },
      "CliError: reference policy must be set to 'source' or 'local'",
    ],
    [
      'source kind when deleting',
      ['a:1'],
      { delete: true, source: 'docker' },
      'CliError: cannot specify a source kind when deleting',
    ],
    [
      'source when deleting',
      ['quay.io/a/b:1', 'b:1'],
      { delete: true },
      'CliError: cannot specify a source when deleting',
    ],
    [
      'import flags when deleting',
      ['a:1'],
      { delete: true, scheduled: true },
      'CliError: cannot set flags for importing images when deleting a tag',
    ],
    [
      'import mode when deleting',
      ['a:1'],
      { delete: true, importMode: 'Legacy' },
      'CliError: cannot specify an import mode when deleting',
    ],
    ['no destination', ['quay.io/a/b:1'], {}, 'CliError: at least a destination is required'],
    ['nothing to delete', [], { delete: true }, 'CliError: at least a destination is required'],
    [
      'import flags on a stream source',
      ['a:1', 'b:1'],
      { insecure: true },
      'CliError: only container images can have importing flags set',
    ],
    [
      'alias with import flags',
      ['quay.io/a/b:1', 'b:1'],
      { alias: true, scheduled: true },
      'CliError: cannot set a container image tag as an alias and also set import flags',
    ],
    [
      'alias into another stream',
      ['a:1', 'b:1'],
      { alias: true },
      'CliError: cannot set alias across different Image Streams',
    ],
    [
      'alias into another namespace',
      ['a:1', 'other/a:2'],
      { alias: true },
      'CliError: cannot set alias across different Image Streams',
    ],
    [
      'invalid import mode',
      ['quay.io/a/b:1', 'b:1'],
      { importMode: 'preserveoriginal' },
      'CliError: valid ImportMode values are Legacy or PreserveOriginal',
    ],
    [
      'destination without tag',
      ['quay.io/a/b:1', 'b'],
      {},
      'CliError: "b" must be of the form <stream_name>:<tag>',
    ],
    [
      'invalid tag name',
      ['quay.io/a/b:1', 'b:-x'],
      {},
      `CliError: invalid tag "-x" format, ${TAG_RULE}`,
    ],
    [
      'tag name too long',
      ['quay.io/a/b:1', `b:${'x'.repeat(129)}`],
      {},
      `CliError: invalid tag "${'x'.repeat(129)}" format, ${TAG_RULE}`,
    ],
  ]
  for (const [what, operands, flags, message] of rows) {
    it(what, () => {
      assert.throws(
        () => planTag(operands, flags, 'default'),
        (err: Error) => {
          assert.equal(`${err.name}: ${err.message}`, message)
          return true
        },
      )
    })
  }
  it('accepts an alias within the stream, and a delete of several tags', () => {
    assert.equal(setPlan(['a:1', 'a:2'], { alias: true }).kind, 'ImageStreamTag')
    const del = planTag(['a:1', 'other/b:2'], { delete: true }, 'default')
    assert.deepEqual(
      del.destinations.map((d) => `${d.namespace}/${d.nameAndTag}`),
      ['default/a:1', 'other/b:2'],
    )
  })
  it('reads an explicit library/ namespace as the current one, as oc does', () => {
    assert.equal(
      setPlan(['library/a:1', 'b:1'], { source: 'istag' }, 'team').source.namespace,
      'team',
    )
    assert.equal(setPlan(['library/a:1', 'b:1'], {}, 'team').source.namespace, 'library')
  })
})

describe('tagBody and tagMessage', () => {
  it('a DockerImage source asks for an import now (generation 0) with its policies', () => {
    const plan = setPlan(['quay.io/a/b:1', 'b:1'], {
      scheduled: true,
      insecure: true,
      referencePolicy: 'local',
      importMode: 'PreserveOriginal',
    })
    const body = tagBody(plan, plan.destinations[0]!, 'default')
    assert.deepEqual(body, {
      kind: 'ImageStreamTag',
      apiVersion: 'image.openshift.io/v1',
      metadata: { name: 'b:1', namespace: 'default' },
      tag: {
        name: '1',
        from: { kind: 'DockerImage', name: 'quay.io/a/b:1' },
        importPolicy: { insecure: true, scheduled: true, importMode: 'PreserveOriginal' },
        referencePolicy: { type: 'Local' },
        generation: 0,
      },
    })
    assert.equal(
      tagMessage(plan, plan.destinations[0]!, 'default'),
      'Tag b:1 set to import quay.io/a/b:1 periodically.',
    )
  })
  it('without --import-mode names no mode, so the server default applies whatever the tag had', () => {
    const plan = setPlan(['quay.io/a/b:2', 'b:1'])
    const dest = plan.destinations[0]!
    assert.deepEqual(tagBody(plan, dest, 'default').tag?.importPolicy, {})
    const legacy = setPlan(['quay.io/a/b:2', 'b:1'], { importMode: 'Legacy' })
    assert.deepEqual(tagBody(legacy, dest, 'default').tag?.importPolicy, {
      importMode: 'Legacy',
    })
  })
  it('a stream source in another namespace names the source namespace', () => {
    const plan = setPlan(['a:1', 'other/b:1', 'c:1', 'src/x:1'], {
      source: 'istag',
      reference: true,
    })
    const [other, same] = plan.destinations
    assert.deepEqual(tagBody(plan, other!, 'default').tag, {
      name: '1',
      from: { kind: 'ImageStreamTag', name: 'a:1', namespace: 'default' },
      reference: true,
      importPolicy: {},
      referencePolicy: { type: 'Source' },
    })
    assert.deepEqual(tagBody(plan, same!, 'default').tag?.from, {
      kind: 'ImageStreamTag',
      name: 'a:1',
    })
    assert.equal(tagMessage(plan, other!, 'default'), 'Tag other/b:1 set to a:1.')
    assert.equal(tagMessage(plan, same!, 'default'), 'Tag c:1 set to a:1.')
  })
  it('prints the alias and the cross-namespace periodic texts as oc', () => {
    const alias = setPlan(['a:1', 'a:2'], { alias: true })
    assert.equal(
      tagMessage(alias, alias.destinations[0]!, 'default'),
      'Tag a:2 set up to track a:1.',
    )
    const periodic = setPlan(['quay.io/a/b:1', 'other/b:1'], { scheduled: true })
    assert.equal(
      tagMessage(periodic, periodic.destinations[0]!, 'default'),
      'Tag other/b:1 set to quay.io/a/b:1 periodically.',
    )
  })
})

function streamWith(tag: string, items: { image: string; dockerImageReference: string }[]) {
  const stream: ImageStream = {
    metadata: { name: 'src', namespace: 'default', resourceVersion: '7' },
    spec: { tags: [{ name: tag, importPolicy: { importMode: 'PreserveOriginal' } }] },
    status: {
      tags: [
        {
          tag,
          items: items.map((i) => ({ ...i, created: '2024-01-01T00:00:00Z', generation: 1 })),
        },
      ],
    },
  }
  return stream
}

describe('resolveTagSource', () => {
  it('pins an istag to its current image', () => {
    const plan = setPlan(['src:1', 'dst:1'])
    const resolved = resolveTagSource(
      plan,
      streamWith('1', [{ image: DIGEST, dockerImageReference: `r.io/x@${DIGEST}` }]),
    )
    assert.equal(resolved.kind, 'ImageStreamImage')
    assert.equal(exactRef(resolved.source), `src@${DIGEST}`)
  })
  it('falls back to the pull spec when the event has no image', () => {
    const plan = setPlan(['src:1', 'dst:1'])
    const resolved = resolveTagSource(
      plan,
      streamWith('1', [{ image: '', dockerImageReference: 'r.io/x:1' }]),
    )
    assert.equal(resolved.kind, 'DockerImage')
    assert.equal(exactRef(resolved.source), 'r.io/x:1')
  })
  it('refuses a tag without an image', () => {
    const plan = setPlan(['src:2', 'dst:1'])
    assert.throws(
      () => resolveTagSource(plan, streamWith('1', [])),
      /^CliError: "src:2" is not currently pointing to an image, cannot use it as the source of a tag$/,
    )
  })
})

interface Call {
  readonly method: string
  readonly resource: string
  readonly name: string | undefined
  readonly body?: unknown
}

/** fakeClient records calls; `answer` returns a value or throws for each. */
function fakeClient(answer: (call: Call, n: number) => unknown): {
  client: TagClient
  calls: Call[]
} {
  const calls: Call[] = []
  const record = (call: Call) => {
    calls.push(call)
    return Promise.resolve().then(() => answer(call, calls.length))
  }
  const client = {
    get: (r: { plural: string }, t: { name?: string }) =>
      record({ method: 'GET', resource: r.plural, name: t.name }),
    update: (r: { plural: string }, t: { name?: string }, body: unknown) =>
      record({ method: 'PUT', resource: r.plural, name: t.name, body }),
    create: (r: { plural: string }, _ns: string, body: { metadata?: { name?: string } }) =>
      record({ method: 'POST', resource: r.plural, name: body.metadata?.name, body }),
    delete: (r: { plural: string }, t: { name?: string }) =>
      record({ method: 'DELETE', resource: r.plural, name: t.name }),
  }
  return { client: client as unknown as TagClient, calls }
}

const notFound = () => new ApiError(404, 'NotFound', 'not found')
const shape = (calls: Call[]) => calls.map((c) => `${c.method} ${c.resource}/${c.name ?? ''}`)

describe('executeTag', () => {
  it('reads the stream, then PUTs with its resourceVersion and no import mode', async () => {
    const existing = streamWith('1', [])
    const { client, calls } = fakeClient((c) => (c.method === 'GET' ? existing : {}))
    const out: string[] = []
    await executeTag(client, planTag(['quay.io/a/b:2', 'src:1'], {}, 'default'), 'default', (l) =>
      out.push(l),
    )
    assert.deepEqual(shape(calls), ['GET imagestreams/src', 'PUT imagestreamtags/src:1'])
    const body = calls[1]!.body as { metadata: { resourceVersion?: string }; tag: TagReference }
    assert.equal(body.metadata.resourceVersion, '7')
    assert.equal(body.tag.importPolicy?.importMode, undefined)
    assert.deepEqual(out, ['Tag src:1 set to quay.io/a/b:2.'])
  })
  it('creates when PUT is not found, and retries a conflict from a fresh read', async () => {
    const { client, calls } = fakeClient((c, n) => {
      if (c.method === 'GET') throw notFound()
      if (c.method === 'PUT' && n === 2) throw new ApiError(409, 'Conflict', 'conflict')
      if (c.method === 'PUT') throw notFound()
      return {}
    })
    await executeTag(
      client,
      planTag(['quay.io/a/b:2', 'new:1'], {}, 'default'),
      'default',
      () => {},
    )
    assert.deepEqual(shape(calls), [
      'GET imagestreams/new',
      'PUT imagestreamtags/new:1',
      'GET imagestreams/new',
      'PUT imagestreamtags/new:1',
      'POST imagestreamtags/new:1',
    ])
  })
  it('falls back to writing the stream when istags cannot be written', async () => {
    const existing = streamWith('1', [])
    const { client, calls } = fakeClient((c) => {
      if (c.resource === 'imagestreamtags') throw new ApiError(405, 'MethodNotAllowed', 'no')
      return c.method === 'GET' ? existing : {}
    })
    await executeTag(
      client,
      planTag(['quay.io/a/b:2', 'src:2'], {}, 'default'),
      'default',
      () => {},
    )
    assert.deepEqual(shape(calls).at(-1), 'PUT imagestreams/src')
    const stream = calls.at(-1)!.body as ImageStream
    assert.deepEqual(
      stream.spec?.tags?.map((t) => `${t.name}=${t.from?.name ?? ''}`),
      ['1=', '2=quay.io/a/b:2'],
    )
  })
  it('resolves an istag source once, before writing', async () => {
    const src = streamWith('1', [{ image: DIGEST2, dockerImageReference: `r.io/x@${DIGEST2}` }])
    const { client, calls } = fakeClient((c) => {
      if (c.method === 'GET' && c.name === 'src') return src
      if (c.method === 'GET') throw notFound()
      return {}
    })
    const out: string[] = []
    await executeTag(client, planTag(['src:1', 'dst:1'], {}, 'default'), 'default', (l) =>
      out.push(l),
    )
    assert.deepEqual(shape(calls), [
      'GET imagestreams/src',
      'GET imagestreams/dst',
      'PUT imagestreamtags/dst:1',
    ])
    assert.deepEqual((calls[2]!.body as { tag: TagReference }).tag.from, {
      kind: 'ImageStreamImage',
      name: `src@${DIGEST2}`,
    })
    assert.deepEqual(out, [`Tag dst:1 set to src@${DIGEST2}.`])
  })
  it('deletes through the istag, and reports a server error as is', async () => {
    const ok = fakeClient(() => ({}))
    const out: string[] = []
    await executeTag(ok.client, planTag(['x:y'], { delete: true }, 'team'), 'team', (l) =>
      out.push(l),
    )
    assert.deepEqual(out, ['Deleted tag team/x:y.'])
    const missing = fakeClient(() => {
      throw notFound()
    })
    await assert.rejects(
      executeTag(missing.client, planTag(['x:y'], { delete: true }, 'team'), 'team', () => {}),
      ApiError,
    )
  })
  it('deletes through the stream on servers without istag delete', async () => {
    const forbidden = new ApiError(403, 'Forbidden', 'no')
    const out: string[] = []
    const gone = fakeClient((c) => {
      if (c.method === 'DELETE') throw forbidden
      throw notFound()
    })
    await executeTag(gone.client, planTag(['x:y'], { delete: true }, 'default'), 'default', (l) =>
      out.push(l),
    )
    assert.deepEqual(out, ['Image stream "x" does not exist.'])
    const existing = streamWith('1', [])
    const noTag = fakeClient((c) => {
      if (c.method === 'DELETE') throw forbidden
      return existing
    })
    await assert.rejects(
      executeTag(
        noTag.client,
        planTag(['src:2'], { delete: true }, 'default'),
        'default',
        () => {},
      ),
      /^CliError: destination tag default\/src:2 does not exist\.$/,
    )
    await executeTag(
      noTag.client,
      planTag(['src:1'], { delete: true }, 'default'),
      'default',
      (l) => out.push(l),
    )
    assert.deepEqual((noTag.calls.at(-1)!.body as ImageStream).spec?.tags, [])
    assert.equal(out.at(-1), 'Deleted tag default/src:1.')
  })
})
