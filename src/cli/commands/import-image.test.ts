import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type {
  Image,
  ImageStream,
  ImageStreamImport,
  TagImportPolicy,
  TagReference,
} from '../../api/image.js'
import type { Status } from '../../api/meta.js'
import { CliError, UsageError } from '../errors.js'
import { describeImage } from '../printers/describe-image.js'
import { describeImageStream } from '../printers/describe-image-stream.js'
import {
  completeImportImageOptions,
  followTagReference,
  IMPORT_FAILED,
  importFailed,
  parseImportTarget,
  planImageImport,
  renderImportResult,
  type ImportImageFlags,
} from './import-image.js'

const NOW = new Date('2024-05-01T12:00:00Z')
const LIST = `sha256:${'a'.repeat(64)}`
const CHILD = `sha256:${'b'.repeat(64)}`

function stream(
  tags: TagReference[],
  extra: { annotations?: Record<string, string>; dockerImageRepository?: string } = {},
): ImageStream {
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: {
      name: 'app',
      namespace: 'demo',
      resourceVersion: '42',
      ...(extra.annotations && { annotations: extra.annotations }),
    },
    spec: {
      tags,
      ...(extra.dockerImageRepository && { dockerImageRepository: extra.dockerImageRepository }),
    },
  }
}

function docker(name: string, from: string, extra: Partial<TagReference> = {}): TagReference {
  return { name, from: { kind: 'DockerImage', name: from }, ...extra }
}

function istag(name: string, from: string): TagReference {
  return { name, from: { kind: 'ImageStreamTag', name: from } }
}

function plan(operands: string[], flags: ImportImageFlags, current?: ImageStream) {
  return planImageImport(completeImportImageOptions(operands, flags), current, 'demo')
}

void describe('completeImportImageOptions', () => {
  const rejects: {
    name: string
    operands: string[]
    flags?: ImportImageFlags
    message: string
  }[] = [
    {
      name: 'no operand',
      operands: [],
      message: 'you must specify the name of an image stream',
    },
    {
      name: 'not a pull spec',
      operands: ['Upper:tag'],
      message:
        'the image name must be a valid container image pull spec or reference to an image stream (e.g. myregistry/myteam/image:tag)',
    },
    {
      name: 'a digest',
      operands: [`app@${LIST}`],
      message: "to import images by ID, use the 'tag' command",
    },
    {
      name: 'a tag with --all',
      operands: ['app:v1'],
      flags: { all: true },
      message: 'cannot specify a tag "app:v1" as well as --all',
    },
    {
      name: 'a bad reference policy',
      operands: ['app'],
      flags: { referencePolicy: 'remote' },
      message: 'valid reference policy values are source or local',
    },
    {
      name: 'a bad import mode',
      operands: ['app'],
      flags: { importMode: 'preserve' },
      message: 'valid ImportMode values are Legacy or PreserveOriginal',
    },
    {
      name: 'an empty import mode',
      operands: ['app'],
      flags: { importMode: '' },
      message: 'valid ImportMode values are Legacy or PreserveOriginal',
    },
    {
      name: 'an unknown output',
      operands: ['app'],
      flags: { output: 'wide' },
      message:
        'unable to match a printer suitable for the output format "wide", allowed formats are: json,name,yaml',
    },
    {
      name: 'a path too deep to name a stream',
      operands: ['quay.io/a/b/c:1'],
      message:
        'cannot take an image stream name from "quay.io/a/b/c:1": name the stream and pass the image as --from (e.g. isctl import-image c --from=quay.io/a/b/c:1 --confirm)',
    },
  ]
  for (const r of rejects) {
    void it(`rejects ${r.name}`, () => {
      assert.throws(
        () => completeImportImageOptions(r.operands, r.flags ?? {}),
        (err: unknown) => err instanceof UsageError && err.message === r.message,
      )
    })
  }

  void it('defaults the tag to latest, and leaves mode and reference policy unset', () => {
    const o = completeImportImageOptions(['app'], {})
    assert.equal(o.name, 'app')
    assert.equal(o.tag, 'latest')
    assert.equal(o.importMode, undefined)
    assert.equal(o.referencePolicy, undefined)
    assert.equal(o.output, 'text')
  })

  void it('has no tag with --all', () => {
    assert.equal(completeImportImageOptions(['app'], { all: true }).tag, undefined)
  })

  void it('reads reference policies in any case', () => {
    assert.equal(
      completeImportImageOptions(['a'], { referencePolicy: 'LOCAL' }).referencePolicy,
      'Local',
    )
    assert.equal(
      completeImportImageOptions(['a'], { referencePolicy: 'Source' }).referencePolicy,
      'Source',
    )
  })

  void it('prints -o name as the text report', () => {
    assert.equal(completeImportImageOptions(['a'], { output: 'name' }).output, 'text')
  })
})

void describe('parseImportTarget', () => {
  const cases: [string, string, string | undefined][] = [
    ['app', 'app', undefined],
    ['app:v1', 'app', 'v1'],
    ['team/app:v1', 'app', 'v1'],
    ['quay.io/team/app:1', 'app', '1'],
    ['127.0.0.1:5000/multi/oci-app:v1', 'oci-app', 'v1'],
    ['localhost/app', 'app', undefined],
    ['quay.io/app', 'app', undefined],
  ]
  for (const [input, name, tag] of cases) {
    void it(`reads ${input}`, () => {
      const t = parseImportTarget(input)
      assert.equal(t.name, name)
      assert.equal(t.tag, tag)
    })
  }
})

void describe('followTagReference', () => {
  void it('follows same-stream references, both spellings', () => {
    const s = stream([istag('a', 'b'), istag('b', 'app:c'), docker('c', 'quay.io/x/y:1')])
    const f = followTagReference(s, 'a')
    assert.equal(f.found, true)
    assert.equal(f.tag, 'c')
    assert.equal(f.multiple, true)
  })
  void it('stops at a missing tag', () => {
    assert.deepEqual(followTagReference(stream([istag('a', 'b')]), 'a'), {
      found: false,
      tag: 'b',
      multiple: true,
    })
  })
})

void describe('planImageImport errors', () => {
  const cases: {
    name: string
    operands: string[]
    flags?: ImportImageFlags
    current: ImageStream | undefined
    message: string
  }[] = [
    {
      name: 'a new stream without --confirm',
      operands: ['app'],
      flags: { from: 'quay.io/x/y' },
      current: undefined,
      message: 'no image stream named "app" exists, pass --confirm to create and import',
    },
    {
      name: '--all on a stream without external tags',
      operands: ['app'],
      flags: { all: true },
      current: stream([istag('a', 'b')]),
      message: 'image stream does not have tags pointing to external container images',
    },
    {
      name: '--all --from on a stream that imports no repository',
      operands: ['app'],
      flags: { all: true, from: 'quay.io/x/y' },
      current: stream([]),
      message:
        'the image stream does not currently import an entire Docker repository, pass --confirm to update',
    },
    {
      name: '--all --from on a stream that imports another repository',
      operands: ['app'],
      flags: { all: true, from: 'quay.io/x/y' },
      current: stream([], { dockerImageRepository: 'quay.io/x/z' }),
      message:
        'the image stream has a different import spec "quay.io/x/z", pass --confirm to update',
    },
    {
      name: 'a reference to another stream',
      operands: ['app:a'],
      current: stream([istag('a', 'other:b')]),
      message: 'tag "a" points to an imagestreamtag from another ImageStream',
    },
    {
      name: 'an invalid reference',
      operands: ['app:a'],
      current: stream([istag('a', 'app:')]),
      message: 'tag "a" points to an invalid imagestreamtag',
    },
    {
      name: 'a circular reference',
      operands: ['app:a'],
      current: stream([istag('a', 'b'), istag('b', 'app:a')]),
      message: 'tag "a" on the image stream is a reference to same tag',
    },
    {
      name: 'a missing tag without --from',
      operands: ['app:v2'],
      current: stream([docker('v1', 'quay.io/x/y:v1')]),
      message:
        'the tag "v2" does not exist on the image stream - choose an existing tag to import or use the \'tag\' command to create a new tag',
    },
    {
      name: 'a tag that points to an image stream image',
      operands: ['app:v1'],
      current: stream([{ name: 'v1', from: { kind: 'ImageStreamImage', name: `app@${LIST}` } }]),
      message: `tag "v1" points to existing ImageStreamImage "app@${LIST}", it cannot be re-imported`,
    },
    {
      name: 'a tag without a source',
      operands: ['app:v1'],
      flags: { from: 'quay.io/x/y:v1' },
      current: stream([{ name: 'v1' }]),
      message:
        'tag "v1" already exists - you must use the \'tag\' command if you want to change the source to "quay.io/x/y:v1"',
    },
    {
      name: 'a different --from',
      operands: ['app:v1'],
      flags: { from: 'quay.io/x/z:v1' },
      current: stream([docker('v1', 'quay.io/x/y:v1')]),
      message:
        'the tag "v1" points to "quay.io/x/y:v1" - use the \'tag\' command if you want to change the source to "quay.io/x/z:v1"',
    },
    {
      name: 'a different --from through a reference',
      operands: ['app:a'],
      flags: { from: 'quay.io/x/z:v1' },
      current: stream([istag('a', 'v1'), docker('v1', 'quay.io/x/y:v1')]),
      message:
        'the tag "a" points to the tag "v1" which points to "quay.io/x/y:v1" - use the \'tag\' command if you want to change the source to "quay.io/x/z:v1"',
    },
  ]
  for (const c of cases) {
    void it(`refuses ${c.name}`, () => {
      assert.throws(
        () => plan(c.operands, c.flags ?? {}, c.current),
        (err: unknown) => err instanceof CliError && err.message === c.message,
      )
    })
  }
})

void describe('planImageImport requests', () => {
  void it('creates a stream from the operand when there is no --from', () => {
    const p = plan(['quay.io/team/app:1'], { confirm: true }, undefined)
    assert.deepEqual(p.isi, {
      apiVersion: 'image.openshift.io/v1',
      kind: 'ImageStreamImport',
      metadata: { name: 'app', namespace: 'demo' },
      spec: {
        import: true,
        images: [
          {
            from: { kind: 'DockerImage', name: 'quay.io/team/app:1' },
            to: { name: '1' },
            importPolicy: { insecure: false, scheduled: false },
          },
        ],
      },
    })
    assert.equal(p.progress, undefined)
  })

  void it('sends every flag that was given', () => {
    const p = plan(
      ['app:v1'],
      {
        confirm: true,
        from: 'quay.io/x/y:v1',
        importMode: 'PreserveOriginal',
        referencePolicy: 'local',
        scheduled: true,
        insecure: true,
        dryRun: true,
      },
      undefined,
    )
    assert.deepEqual(p.isi.spec, {
      import: false,
      images: [
        {
          from: { kind: 'DockerImage', name: 'quay.io/x/y:v1' },
          to: { name: 'v1' },
          importPolicy: { insecure: true, scheduled: true, importMode: 'PreserveOriginal' },
          referencePolicy: { type: 'Local' },
        },
      ],
    })
  })

  void it('a refresh re-imports an existing tag with its own source, mode and sticky flags', () => {
    const current = stream([
      docker('v1', 'quay.io/x/y:v1', {
        importPolicy: { scheduled: true, insecure: true, importMode: 'PreserveOriginal' },
      }),
    ])
    const p = plan(['app:v1'], {}, current)
    assert.deepEqual(p.isi.metadata, { name: 'app', namespace: 'demo', resourceVersion: '42' })
    assert.deepEqual(p.isi.spec?.images, [
      {
        from: { kind: 'DockerImage', name: 'quay.io/x/y:v1' },
        to: { name: 'v1' },
        importPolicy: { insecure: true, scheduled: true, importMode: 'PreserveOriginal' },
      },
    ])
    assert.equal(p.stream.spec?.tags?.[0]?.generation, 0)
  })

  void it('with --from and no --import-mode sends no mode: the server default applies', () => {
    const current = stream([
      docker('v1', 'quay.io/x/y:v1', {
        importPolicy: { scheduled: true, importMode: 'PreserveOriginal' },
      }),
    ])
    const cases: [string, ImportImageFlags, TagImportPolicy][] = [
      ['same source', { from: 'quay.io/x/y:v1' }, { insecure: false, scheduled: true }],
      [
        'explicit mode',
        { from: 'quay.io/x/y:v1', importMode: 'PreserveOriginal' },
        { insecure: false, scheduled: true, importMode: 'PreserveOriginal' },
      ],
      ['a bare refresh', {}, { insecure: false, scheduled: true, importMode: 'PreserveOriginal' }],
    ]
    for (const [name, flags, want] of cases) {
      const p = plan(['app:v1'], flags, current)
      assert.deepEqual(p.isi.spec?.images?.[0]?.importPolicy, want, name)
    }
    const fresh = plan(['app:v2'], { from: 'quay.io/x/y:v2' }, current)
    assert.deepEqual(fresh.isi.spec?.images?.[0]?.importPolicy, {
      insecure: false,
      scheduled: false,
    })
  })

  void it('a bare --all refresh of a repository sends its tags’ mode, and refuses mixed modes', () => {
    const repo = (modes: string[]) =>
      stream(
        modes.map((m, i) =>
          docker(`t${i}`, `quay.io/x/y:t${i}`, { importPolicy: { importMode: m } }),
        ),
        { dockerImageRepository: 'quay.io/x/y' },
      )
    const same = plan(['app'], { all: true }, repo(['PreserveOriginal', 'PreserveOriginal']))
    assert.deepEqual(same.isi.spec?.repository?.importPolicy, { importMode: 'PreserveOriginal' })
    const moved = plan(
      ['app'],
      { all: true, from: 'quay.io/x/y' },
      repo(['PreserveOriginal', 'PreserveOriginal']),
    )
    assert.deepEqual(moved.isi.spec?.repository?.importPolicy, {})
    assert.throws(
      () => plan(['app'], { all: true }, repo(['PreserveOriginal', 'Legacy'])),
      new CliError(
        'the tags imported from "quay.io/x/y" use different import modes (PreserveOriginal: t0; Legacy: t1); pass --import-mode to choose one for the whole repository',
      ),
    )
    const chosen = plan(
      ['app'],
      { all: true, importMode: 'Legacy' },
      repo(['PreserveOriginal', 'Legacy']),
    )
    assert.deepEqual(chosen.isi.spec?.repository?.importPolicy, { importMode: 'Legacy' })
  })

  void it('applies the insecure annotation unless --insecure is given', () => {
    const annotated = stream([docker('v1', 'h/x/y:v1')], {
      annotations: { 'openshift.io/image.insecureRepository': 'true' },
    })
    assert.equal(
      plan(['app:v1'], {}, annotated).isi.spec?.images?.[0]?.importPolicy?.insecure,
      true,
    )
    assert.equal(
      plan(['app:v1'], { insecure: false }, annotated).isi.spec?.images?.[0]?.importPolicy
        ?.insecure,
      false,
    )
  })

  void it('imports into the end of a reference chain', () => {
    const p = plan(['app:a'], {}, stream([istag('a', 'v1'), docker('v1', 'quay.io/x/y:v1')]))
    assert.equal(p.isi.spec?.images?.[0]?.to?.name, 'v1')
    assert.equal(p.isi.spec?.images?.[0]?.from.name, 'quay.io/x/y:v1')
  })

  void it('creates latest from the repository the stream imports', () => {
    const p = plan(['app'], {}, stream([], { dockerImageRepository: 'quay.io/x/y' }))
    assert.equal(p.isi.spec?.images?.[0]?.from.name, 'quay.io/x/y')
    assert.equal(p.isi.spec?.images?.[0]?.to?.name, 'latest')
  })

  void it('adds a missing tag given --from', () => {
    const p = plan(['app:v2'], { from: 'quay.io/x/y:v2' }, stream([docker('v1', 'quay.io/x/y:v1')]))
    assert.deepEqual(
      p.stream.spec?.tags?.map((t) => t.name),
      ['v1', 'v2'],
    )
    assert.equal(p.isi.spec?.images?.[0]?.to?.name, 'v2')
  })

  void it('imports a whole repository into a new stream with --all', () => {
    const p = plan(['app'], { all: true, confirm: true, from: 'quay.io/x/y' }, undefined)
    assert.deepEqual(p.isi.spec, {
      import: true,
      repository: { from: { kind: 'DockerImage', name: 'quay.io/x/y' }, importPolicy: {} },
    })
    assert.equal(p.progress, 'Importing the tags of quay.io/x/y')
  })

  void it('re-imports every external tag with --all and no repository', () => {
    const current = stream([
      docker('v1', 'quay.io/x/y:v1'),
      istag('v2', 'v1'),
      docker('v3', 'q/z:3'),
    ])
    const p = plan(['app'], { all: true }, current)
    assert.deepEqual(
      p.isi.spec?.images?.map((i) => [i.to?.name, i.from.name]),
      [
        ['v1', 'quay.io/x/y:v1'],
        ['v3', 'q/z:3'],
      ],
    )
    assert.equal(p.progress, 'Importing 2 tags of app')
  })

  void it('changes the repository with --all --from --confirm', () => {
    const current = stream([], { dockerImageRepository: 'quay.io/x/z' })
    const p = plan(
      ['app'],
      { all: true, confirm: true, from: 'quay.io/x/y', scheduled: true },
      current,
    )
    assert.equal(p.stream.spec?.dockerImageRepository, 'quay.io/x/y')
    assert.deepEqual(p.isi.spec?.repository, {
      from: { kind: 'DockerImage', name: 'quay.io/x/y' },
      importPolicy: { scheduled: true },
    })
  })
})

function image(digest: string, manifests = false): Image {
  return {
    metadata: { name: digest, creationTimestamp: '2024-05-01T11:00:00Z' },
    dockerImageReference: `quay.io/x/y@${digest}`,
    dockerImageMetadata: { Architecture: 'amd64', Os: 'linux', Size: 10 },
    ...(manifests && {
      dockerImageManifests: [
        {
          digest: CHILD,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          manifestSize: 400,
          architecture: 'amd64',
          os: 'linux',
        },
      ],
    }),
  }
}

const SUCCESS: Status = { metadata: {}, status: 'Success' }
const NOT_FOUND: Status = {
  metadata: {},
  status: 'Failure',
  reason: 'NotFound',
  message: 'dockerimage.image.openshift.io "quay.io/x/nope:latest" not found',
}

void describe('renderImportResult', () => {
  const stored = stream([docker('v1', 'quay.io/x/y:v1')])
  const isiResult = (status: ImageStreamImport['status']): ImageStreamImport => ({
    metadata: { name: 'app' },
    status,
  })

  void it('prints the name line, the stream and one block per image', () => {
    const opts = completeImportImageOptions(['app:v1'], {})
    const p = planImageImport(opts, stored, 'demo')
    const img = image(LIST, true)
    const out = renderImportResult(
      opts,
      p,
      isiResult({ import: stored, images: [{ status: SUCCESS, image: img, tag: 'v1' }] }),
      NOW,
    )
    const block = (t: string) => `${t.endsWith('\n') ? t : `${t}\n`}\n`
    assert.equal(
      out.stdout,
      `imagestream.image.openshift.io/app imported\n\n${block(describeImageStream(stored, NOW))}${block(describeImage(img, 'app:v1', NOW))}\n`,
    )
    assert.equal(out.stderr, '')
    assert.equal(out.failed, false)
  })

  void it('reports failed tags on stderr and says so on the name line', () => {
    const opts = completeImportImageOptions(['app'], {})
    const p = planImageImport(opts, stream([docker('latest', 'quay.io/x/nope')]), 'demo')
    const out = renderImportResult(
      opts,
      p,
      isiResult({ import: stored, images: [{ status: NOT_FOUND, tag: 'latest' }] }),
      NOW,
    )
    assert.match(out.stdout, /^imagestream\.image\.openshift\.io\/app imported with errors\n\n/)
    assert.equal(
      out.stderr,
      'error: tag latest failed: dockerimage.image.openshift.io "quay.io/x/nope:latest" not found\n',
    )
    assert.equal(out.failed, true)
    assert.equal(IMPORT_FAILED, 'import completed with errors')
  })

  void it('prints no stream on a dry run', () => {
    const opts = completeImportImageOptions(['app:v1'], { dryRun: true })
    const p = planImageImport(opts, stored, 'demo')
    const img = image(CHILD)
    const out = renderImportResult(
      opts,
      p,
      isiResult({ images: [{ status: SUCCESS, image: img, tag: 'v1' }] }),
      NOW,
    )
    assert.ok(out.stdout.startsWith('imagestream.image.openshift.io/app imported (dry run)\n\n'))
    assert.ok(!out.stdout.includes('Unique Images'))
    assert.ok(out.stdout.includes(describeImage(img, 'app:v1', NOW)))
  })

  void it('reports repository tags, failures and the tags left out', () => {
    const opts = completeImportImageOptions(['app'], { all: true, confirm: true, from: 'q/x/y' })
    const p = planImageImport(opts, undefined, 'demo')
    const out = renderImportResult(
      opts,
      p,
      isiResult({
        import: stored,
        repository: {
          status: {
            metadata: {},
            status: 'Failure',
            reason: 'ImportFailed',
            message: 'one of the images from this repository failed to import',
          },
          images: [
            { status: SUCCESS, image: image(CHILD), tag: 'v1' },
            { status: { ...NOT_FOUND, message: 'broken' }, tag: 'v2' },
          ],
          additionalTags: ['v3', 'v4'],
        },
      }),
      NOW,
    )
    assert.equal(out.stderr, 'error: repository tag v2 failed: broken\n')
    assert.ok(out.stdout.includes(describeImage(image(CHILD), 'app:v1', NOW)))
    assert.ok(
      out.stdout.endsWith(
        '\ninfo: The remote repository contained 2 additional tags which were not imported: v3, v4\n\n',
      ),
    )
    assert.equal(out.failed, true)
  })

  void it('prints the stored stream for -o json, the planned one on a dry run', () => {
    const opts = completeImportImageOptions(['app:v1'], { output: 'json' })
    const p = planImageImport(opts, stored, 'demo')
    const written = renderImportResult(opts, p, isiResult({ import: stored, images: [] }), NOW)
    assert.deepEqual(JSON.parse(written.stdout), stored)
    const dry = renderImportResult(opts, p, isiResult({ images: [] }), NOW)
    assert.equal((JSON.parse(dry.stdout) as ImageStream).spec?.tags?.[0]?.generation, 0)
  })
})

void describe('importFailed', () => {
  void it('is true for a failed image or a failed repository only', () => {
    assert.equal(importFailed({ metadata: {}, status: { images: [{ status: SUCCESS }] } }), false)
    assert.equal(importFailed({ metadata: {}, status: { images: [{ status: NOT_FOUND }] } }), true)
    assert.equal(
      importFailed({ metadata: {}, status: { repository: { status: NOT_FOUND } } }),
      true,
    )
  })
})
