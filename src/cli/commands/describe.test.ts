import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Image, ImageStream } from '../../api/image.js'
import type { ResourceMeta } from '../../api/resource-meta.js'
import type { ImageStreamSchedule } from '../../api/schedule.js'
import { RESOURCE_META } from '../../api/resource-meta.js'
import { ApiError } from '../client/api-errors.js'
import { UsageError } from '../errors.js'
import { describeImage } from '../printers/describe-image.js'
import { describeImageStream } from '../printers/describe-image-stream.js'
import { completeDescribe, describeObjects, type ObjectReader } from './describe.js'

const NOW = new Date('2024-05-06T13:00:00Z')
const d = (c: string): string => `sha256:${c.repeat(64)}`

const stream = (name: string): ImageStream => ({
  metadata: { name, namespace: 'demo' },
  status: { dockerImageRepository: `local/demo/${name}` },
})
const image: Image = {
  metadata: { name: d('a') },
  dockerImageReference: `reg/x@${d('a')}`,
  dockerImageMetadata: { Architecture: 'amd64' },
}

function notFound(resource: ResourceMeta, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${resource.plural}.${resource.group} "${name}" not found`)
}

/** A reader over fixed objects per plural, recording the calls. */
function fakeReader(objects: Record<string, { metadata: { name?: string } }[]>) {
  const calls: string[] = []
  const reader: ObjectReader = {
    get(resource, { namespace, name }) {
      calls.push(`get ${resource.plural} ${namespace ?? '-'} ${name}`)
      const found = (objects[resource.plural] ?? []).find((o) => o.metadata.name === name)
      return found ? Promise.resolve(found) : Promise.reject(notFound(resource, name))
    },
    list(resource, { namespace, labelSelector }) {
      calls.push(`list ${resource.plural} ${namespace ?? '-'} ${labelSelector ?? ''}`)
      if (resource.plural === 'imagestreamimages') {
        return Promise.reject(
          new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method'),
        )
      }
      return Promise.resolve({ items: objects[resource.plural] ?? [] })
    },
  }
  return { reader, calls }
}

void describe('completeDescribe', () => {
  const cases: [string, string[], object, RegExp][] = [
    [
      'an unknown type (kubectl message)',
      ['bogus', 'x'],
      {},
      /^the server doesn't have a resource type "bogus"$/,
    ],
    [
      'a type without a describer',
      ['sa', 'x'],
      {},
      /^describe supports image streams.*not serviceaccounts$/,
    ],
    [
      'a name with -A',
      ['is', 'x'],
      { allNamespaces: true },
      /^a resource cannot be retrieved by name across all namespaces$/,
    ],
    [
      'a name with a selector',
      ['is', 'x'],
      { selector: 'a=b' },
      /^name cannot be provided when a selector is specified$/,
    ],
  ]
  for (const [name, operands, flags, message] of cases) {
    void it(`refuses ${name}`, () => {
      assert.throws(
        () => completeDescribe(operands, flags, 'demo'),
        (err: Error) => {
          assert.ok(err instanceof UsageError)
          assert.match(err.message, message)
          return true
        },
      )
    })
  }

  void it('reads TYPE NAME and TYPE/NAME, and only TYPE NAME falls back to a prefix', () => {
    const plain = completeDescribe(['is', 'app'], {}, 'demo')
    assert.equal(plain.targets[0]!.resource, RESOURCE_META.imagestreams)
    assert.deepEqual(plain.targets[0]!.names, ['app'])
    assert.equal(plain.prefixFallback, true)
    const slashed = completeDescribe(['imagestream/app'], {}, 'demo')
    assert.deepEqual(slashed.targets[0]!.names, ['app'])
    assert.equal(slashed.prefixFallback, false)
    assert.equal(completeDescribe(['is', 'a', 'b'], {}, 'demo').prefixFallback, false)
    assert.equal(completeDescribe(['is'], { allNamespaces: true }, 'demo').namespace, undefined)
  })
})

void describe('describeObjects', () => {
  const objects = {
    imagestreams: [stream('app'), stream('web-1'), stream('web-2')],
    images: [image],
    imagestreamtags: [{ metadata: { name: 'app:v1', namespace: 'demo' }, image }],
  }

  void it('describes several names, a blank line between, and collects what is missing', async () => {
    const { reader, calls } = fakeReader(objects)
    const req = completeDescribe(['is', 'app', 'nope', 'web-1'], {}, 'demo')
    const got = await describeObjects(reader, req, NOW)
    assert.equal(
      got.stdout,
      `${describeImageStream(stream('app'), NOW)}\n\n${describeImageStream(stream('web-1'), NOW)}`,
    )
    assert.deepEqual(
      got.errors.map((e) => (e as Error).message),
      ['imagestreams.image.openshift.io "nope" not found'],
    )
    assert.deepEqual(calls, [
      'get imagestreams demo app',
      'get imagestreams demo nope',
      'get imagestreams demo web-1',
    ])
  })

  void it('falls back to the objects whose names start with a missing NAME', async () => {
    const { reader } = fakeReader(objects)
    const got = await describeObjects(reader, completeDescribe(['is', 'web'], {}, 'demo'), NOW)
    assert.equal(
      got.stdout,
      `${describeImageStream(stream('web-1'), NOW)}\n${describeImageStream(stream('web-2'), NOW)}\n`,
    )
    assert.deepEqual(got.errors, [])
  })

  void it('reports the NotFound when no name starts with NAME', async () => {
    const { reader } = fakeReader(objects)
    const got = await describeObjects(reader, completeDescribe(['is', 'zzz'], {}, 'demo'), NOW)
    assert.equal(got.stdout, '')
    assert.equal((got.errors[0] as ApiError).reason, 'NotFound')
  })

  void it('lets the list error through when the type cannot be listed (isimage)', async () => {
    const { reader } = fakeReader(objects)
    const req = completeDescribe(['isimage', `app@${d('b')}`], {}, 'demo')
    await assert.rejects(describeObjects(reader, req, NOW), /does not allow this method/)
  })

  void it('describes tags and images with the image block, cluster-scoped without a namespace', async () => {
    const { reader, calls } = fakeReader(objects)
    const tag = await describeObjects(
      reader,
      completeDescribe(['istag', 'app:v1'], {}, 'demo'),
      NOW,
    )
    assert.equal(tag.stdout, describeImage(image, d('a'), NOW))
    const img = await describeObjects(reader, completeDescribe(['images', d('a')], {}, 'demo'), NOW)
    assert.equal(img.stdout, describeImage(image, '', NOW))
    assert.deepEqual(calls, ['get imagestreamtags demo app:v1', `get images - ${d('a')}`])
  })

  void it('prints a Local tag’s integrated pull spec as its Docker Image line', async () => {
    const local = `local/demo/app@${d('a')}`
    const istag = {
      metadata: { name: 'app:v1', namespace: 'demo' },
      image: { ...image, dockerImageReference: local },
    }
    const { reader } = fakeReader({ imagestreamtags: [istag] })
    const tag = await describeObjects(
      reader,
      completeDescribe(['istag', 'app:v1'], {}, 'demo'),
      NOW,
    )
    assert.ok(tag.stdout.includes(`Docker Image:\t${local}\n`), tag.stdout)
  })

  void it('lists a type with its selector and tells when nothing matched', async () => {
    const { reader, calls } = fakeReader({})
    const got = await describeObjects(
      reader,
      completeDescribe(['is'], { selector: 'a=b' }, 'demo'),
      NOW,
    )
    assert.deepEqual(got, { stdout: '', errors: [], nothingFound: true })
    assert.deepEqual(calls, ['list imagestreams demo a=b'])
  })
})

void describe('describeObjects and the schedule subresource', () => {
  const scheduled: ImageStream = {
    metadata: { name: 'app', namespace: 'demo' },
    spec: {
      tags: [
        {
          name: 'v1',
          from: { kind: 'DockerImage', name: 'q/app:v1' },
          importPolicy: { scheduled: true },
        },
      ],
    },
  }
  const plain: ImageStream = {
    metadata: { name: 'app', namespace: 'demo' },
    spec: { tags: [{ name: 'v1', from: { kind: 'DockerImage', name: 'q/app:v1' } }] },
  }
  const schedule: ImageStreamSchedule = {
    kind: 'ImageStreamSchedule',
    apiVersion: 'image.openshift.io/v1',
    metadata: { name: 'app', namespace: 'demo' },
    tags: [{ tag: 'v1', nextCheckTime: '2024-05-06T13:10:00Z', failures: 0 }],
  }
  const cases: {
    name: string
    stream: ImageStream
    answer: () => Promise<ImageStreamSchedule>
    want: string | RegExp
    reads: string[]
  }[] = [
    {
      name: 'a stream with scheduled tags shows its schedule',
      stream: scheduled,
      answer: () => Promise.resolve(schedule),
      want: describeImageStream(scheduled, NOW, schedule),
      reads: ['schedule demo app'],
    },
    {
      name: 'a stream without scheduled tags costs no request',
      stream: plain,
      answer: () => Promise.reject(new Error('must not be called')),
      want: describeImageStream(plain, NOW),
      reads: [],
    },
    {
      name: 'an older server without the subresource (404) prints the stream as before',
      stream: scheduled,
      answer: () => Promise.reject(new ApiError(404, 'NotFound', 'the server could not find it')),
      want: describeImageStream(scheduled, NOW),
      reads: ['schedule demo app'],
    },
    {
      name: 'another failure is reported',
      stream: scheduled,
      answer: () => Promise.reject(new ApiError(500, 'InternalError', 'boom')),
      want: /boom/,
      reads: ['schedule demo app'],
    },
  ]
  for (const c of cases) {
    void it(c.name, async () => {
      const { reader } = fakeReader({ imagestreams: [c.stream] })
      const reads: string[] = []
      reader.schedule = ({ namespace, name }) => {
        reads.push(`schedule ${namespace} ${name}`)
        return c.answer()
      }
      const run = describeObjects(reader, completeDescribe(['is', 'app'], {}, 'demo'), NOW)
      if (typeof c.want === 'string') assert.equal((await run).stdout, c.want)
      else {
        const got = await run
        assert.match((got.errors[0] as Error | undefined)?.message ?? '', c.want)
      }
      assert.deepEqual(reads, c.reads)
    })
  }
})
