import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ImageStream, ImageStreamImport, Status } from '../api/index.js'
import { checkFailedEvent, importEvents } from './import-events.js'

const A = `sha256:${'a'.repeat(64)}`
const B = `sha256:${'b'.repeat(64)}`
const FROM = 'registry.example.com/team/app:1.0'

function stream(tag: { image?: string; failing?: boolean }): ImageStream {
  return {
    metadata: { name: 'app', namespace: 'demo', uid: 'uid-1' },
    status: {
      dockerImageRepository: '',
      tags: [
        {
          tag: '1.0',
          items: tag.image
            ? [
                {
                  created: '2026-01-01T00:00:00Z',
                  dockerImageReference: '',
                  image: tag.image,
                  generation: 1,
                },
              ]
            : [],
          ...(tag.failing && {
            conditions: [
              {
                type: 'ImportSuccess',
                status: 'False',
                reason: 'NotFound',
                message: 'gone',
                generation: 1,
                lastTransitionTime: '2026-01-01T00:00:00Z',
              },
            ],
          }),
        },
      ],
    },
  }
}

function answered(status: Status): ImageStreamImport {
  return {
    metadata: { name: 'app', namespace: 'demo' },
    spec: {
      import: true,
      images: [{ from: { kind: 'DockerImage', name: FROM }, to: { name: '1.0' } }],
    },
    status: { images: [{ status }] },
  }
}

const OK: Status = { status: 'Success' }
const NOT_FOUND: Status = {
  status: 'Failure',
  reason: 'NotFound',
  message: 'manifest unknown: manifest tagged by "1.0" is not found',
}

describe('importEvents', () => {
  const cases: {
    what: string
    status: Status
    before: ImageStream | undefined
    after: ImageStream
    want: string[]
  }[] = [
    {
      what: 'a failed tag: one Warning with the import status',
      status: NOT_FOUND,
      before: undefined,
      after: stream({ failing: true }),
      want: [
        `Warning ImportFailed Import of "${FROM}" into tag "1.0" failed (NotFound): manifest unknown: manifest tagged by "1.0" is not found`,
      ],
    },
    {
      what: 'a failure without a reason or message',
      status: { status: 'Failure' },
      before: stream({ failing: true }),
      after: stream({ failing: true }),
      want: [
        `Warning ImportFailed Import of "${FROM}" into tag "1.0" failed (InternalError): unknown error prevented import`,
      ],
    },
    {
      what: 'a first import: the new image',
      status: OK,
      before: undefined,
      after: stream({ image: A }),
      want: [`Normal Imported Imported "${FROM}" into tag "1.0": ${A}`],
    },
    {
      what: 'success after a failure, with a new image',
      status: OK,
      before: stream({ failing: true }),
      after: stream({ image: A }),
      want: [
        `Normal ImportSucceeded Import of "${FROM}" into tag "1.0" succeeded after failing`,
        `Normal Imported Imported "${FROM}" into tag "1.0": ${A}`,
      ],
    },
    {
      what: 'success after a failure, the image unchanged',
      status: OK,
      before: stream({ image: A, failing: true }),
      after: stream({ image: A }),
      want: [`Normal ImportSucceeded Import of "${FROM}" into tag "1.0" succeeded after failing`],
    },
    {
      what: 'a moved tag',
      status: OK,
      before: stream({ image: A }),
      after: stream({ image: B }),
      want: [`Normal Imported Imported "${FROM}" into tag "1.0": ${B}`],
    },
    {
      what: 'a re-import of the same image: nothing',
      status: OK,
      before: stream({ image: A }),
      after: stream({ image: A }),
      want: [],
    },
  ]
  for (const c of cases) {
    it(c.what, () => {
      const events = importEvents(answered(c.status), c.before, c.after)
      assert.deepEqual(
        events.map((e) => `${e.type} ${e.reason} ${e.message}`),
        c.want,
      )
      for (const e of events) {
        assert.deepEqual(e.involvedObject, {
          kind: 'ImageStream',
          namespace: 'demo',
          name: 'app',
          apiVersion: 'image.openshift.io/v1',
          uid: 'uid-1',
        })
        assert.equal(e.component, 'image-import-controller')
      }
    })
  }

  it('reports the tags of a repository import', () => {
    const isi: ImageStreamImport = {
      metadata: { name: 'app', namespace: 'demo' },
      spec: {
        import: true,
        repository: { from: { kind: 'DockerImage', name: 'registry.example.com/team/app' } },
      },
      status: { repository: { images: [{ tag: '1.0', status: NOT_FOUND }] } },
    }
    assert.deepEqual(
      importEvents(isi, undefined, stream({ failing: true })).map((e) => e.message),
      [
        `Import of "${FROM}" into tag "1.0" failed (NotFound): manifest unknown: manifest tagged by "1.0" is not found`,
      ],
    )
  })

  it('records nothing for an import that stored no stream', () => {
    assert.deepEqual(importEvents(answered(NOT_FOUND), undefined, undefined), [])
  })

  it('checkFailedEvent names the source and tag of a scheduled check', () => {
    const e = checkFailedEvent(stream({}), '1.0', FROM, 'Unauthorized', 'denied')
    assert.equal(e.reason, 'ScheduledImportFailed')
    assert.equal(e.type, 'Warning')
    assert.equal(e.component, 'scheduled-image-import-controller')
    assert.equal(
      e.message,
      `Scheduled check of "${FROM}" for tag "1.0" failed (Unauthorized): denied`,
    )
  })
})
