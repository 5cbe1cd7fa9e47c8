import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ImageStream } from '../../api/image.js'
import type { ImageStreamSchedule, ScheduledTagStatus } from '../../api/schedule.js'
import { aliasTarget, describeImageStream } from './describe-image-stream.js'

const d = (c: string): string => `sha256:${c.repeat(64)}`
const NOW = new Date('2024-05-06T13:00:00Z')
const REPO = 'registry.example.com:5000/multi/app'
const INTERNAL = 'image-registry.local/demo/app'

const full: ImageStream = {
  metadata: {
    name: 'app',
    namespace: 'demo',
    creationTimestamp: '2024-05-06T12:58:00Z',
    labels: { team: 'a', app: 'web' },
    annotations: { description: 'The app', 'openshift.io/image.dockerRepositoryCheck': 'x' },
    generation: 7,
  },
  spec: {
    lookupPolicy: { local: true },
    tags: [
      {
        name: 'latest',
        from: { kind: 'DockerImage', name: `${REPO}:v1` },
        generation: 3,
        importPolicy: { scheduled: true, insecure: true },
        referencePolicy: { type: 'Local' },
        annotations: {
          description: 'Web app',
          tags: 'web,app',
          supports: 'x:1,y',
          sampleRepo: 'git',
        },
      },
      {
        name: 'stable',
        from: { kind: 'ImageStreamTag', name: 'latest' },
        reference: true,
        referencePolicy: { type: 'Source' },
      },
      { name: 'prod', from: { kind: 'ImageStreamTag', name: 'app:stable' } },
      { name: '1.0', from: { kind: 'DockerImage', name: `${REPO}:1.0` }, generation: 7 },
      { name: 'broken', from: { kind: 'DockerImage', name: `${REPO}:nope` }, generation: 5 },
      { name: 'other', from: { kind: 'ImageStreamTag', name: 'base:1', namespace: 'shared' } },
      { name: 'ref', from: { kind: 'DockerImage', name: `${REPO}:ref` }, reference: true },
      { name: 'pinned', from: { kind: 'ImageStreamImage', name: `app@${d('c')}` } },
      { name: 'empty' },
    ],
  },
  status: {
    dockerImageRepository: INTERNAL,
    tags: [
      {
        tag: 'latest',
        items: [
          {
            created: '2024-05-06T12:59:30Z',
            dockerImageReference: `${REPO}@${d('a')}`,
            image: d('a'),
            generation: 3,
          },
          {
            created: '2024-05-06T10:00:00Z',
            dockerImageReference: `${REPO}@${d('b')}`,
            image: d('e'),
            generation: 2,
          },
        ],
      },
      {
        tag: '1.0',
        items: [
          {
            created: '2024-05-04T12:00:00Z',
            dockerImageReference: `${REPO}@${d('a')}`,
            image: d('a'),
            generation: 2,
          },
        ],
      },
      {
        tag: 'broken',
        conditions: [
          {
            type: 'ImportSuccess',
            status: 'False',
            lastTransitionTime: '2024-05-06T12:55:00Z',
            reason: 'NotFound',
            message: `${REPO}:nope: not found`,
            generation: 5,
          },
        ],
      },
      { tag: 'gone', items: [] },
    ],
  },
}

const FULL_TEXT = `Name:\t\t\tapp
Namespace:\t\tdemo
Created:\t\t2 minutes ago
Labels:\t\t\tapp=web
\t\t\tteam=a
Description:\t\tThe app
Annotations:\t\topenshift.io/image.dockerRepositoryCheck=x
Image Repository:\t${INTERNAL}
Image Lookup:\t\tlocal=true
Unique Images:\t\t2
Tags:\t\t\t10

latest (prod, stable)
  updates automatically from registry ${REPO}:v1
    will use insecure HTTPS or HTTP connections
    prefer registry pullthrough when referencing this tag

  Web app
  Tags: web, app
  Supports: x:1, y
  Example Repo: git

  * ${REPO}@${d('a')}
      30 seconds ago
    ${REPO}@${d('b')}
      3 hours ago\t${d('e')}

1.0
  tagged from ${REPO}:1.0

  ~ importing latest image ...
  * ${REPO}@${d('a')}
      2 days ago

broken
  tagged from ${REPO}:nope

  ! error: Import failed (NotFound): ${REPO}:nope: not found
      5 minutes ago

empty
  tag without source image


gone
  no spec tag


other
  tagged from shared/base:1


pinned
  tagged from app@${d('c')}


ref
  reference to registry ${REPO}:ref

`

void describe('describeImageStream', () => {
  void it('prints every kind of tag block as oc does', () => {
    assert.equal(describeImageStream(full, NOW), FULL_TEXT)
  })

  void it('prints Tags: <none> for a stream without tags', () => {
    const stream: ImageStream = {
      metadata: { name: 'bare', namespace: 'demo' },
      status: { dockerImageRepository: INTERNAL, publicDockerImageRepository: 'pub/demo/bare' },
    }
    assert.equal(
      describeImageStream(stream, NOW),
      'Name:\t\t\tbare\nNamespace:\t\tdemo\nLabels:\t\t\t<none>\nAnnotations:\t\t<none>\n' +
        'Image Repository:\tpub/demo/bare\nImage Lookup:\t\tlocal=false\nTags:\t\t\t<none>\n',
    )
  })

  void it('counts a spec-only tag, and an import newer than the history as in progress', () => {
    const stream: ImageStream = {
      metadata: { name: 's', namespace: 'demo' },
      spec: {
        tags: [{ name: 'v2', from: { kind: 'DockerImage', name: 'q/s:v2' }, generation: 1 }],
      },
    }
    assert.equal(
      describeImageStream(stream, NOW),
      'Name:\t\t\ts\nNamespace:\t\tdemo\nLabels:\t\t\t<none>\nAnnotations:\t\t<none>\n' +
        'Image Repository:\t<none>\nImage Lookup:\t\tlocal=false\nUnique Images:\t\t0\nTags:\t\t\t1\n\n' +
        'v2\n  tagged from q/s:v2\n\n  ~ importing latest image ...\n',
    )
  })

  void it('lists every event of a tag that moved back to an earlier image, counting it once', () => {
    const event = (c: string, created: string, generation: number) => ({
      created,
      dockerImageReference: `q/s@${d(c)}`,
      image: d(c),
      generation,
    })
    const stream: ImageStream = {
      metadata: { name: 's', namespace: 'demo' },
      spec: {
        tags: [{ name: 'v1', from: { kind: 'DockerImage', name: 'q/s:v1' }, generation: 3 }],
      },
      status: {
        tags: [
          {
            tag: 'v1',
            items: [
              event('a', '2024-05-06T12:00:00Z', 3),
              event('b', '2024-05-05T13:00:00Z', 2),
              event('a', '2024-05-04T13:00:00Z', 1),
            ],
          },
        ],
      },
    }
    assert.equal(
      describeImageStream(stream, NOW),
      'Name:\t\t\ts\nNamespace:\t\tdemo\nLabels:\t\t\t<none>\nAnnotations:\t\t<none>\n' +
        'Image Repository:\t<none>\nImage Lookup:\t\tlocal=false\nUnique Images:\t\t2\nTags:\t\t\t1\n\n' +
        `v1\n  tagged from q/s:v1\n\n  * q/s@${d('a')}\n      About an hour ago\n` +
        `    q/s@${d('b')}\n      24 hours ago\n    q/s@${d('a')}\n      2 days ago\n`,
    )
  })
})

void describe('describeImageStream with a schedule', () => {
  const schedule = (...tags: ScheduledTagStatus[]): ImageStreamSchedule => ({
    kind: 'ImageStreamSchedule',
    apiVersion: 'image.openshift.io/v1',
    metadata: { name: 'app', namespace: 'demo' },
    tags,
  })
  const at = (offsetSeconds: number) => new Date(NOW.getTime() + offsetSeconds * 1000).toISOString()

  void it('keeps every line for tags the schedule does not name', () => {
    const none = schedule({ tag: 'nope', nextCheckTime: at(60), failures: 0 })
    assert.equal(describeImageStream(full, NOW, none), FULL_TEXT)
    assert.equal(describeImageStream(full, NOW, schedule()), FULL_TEXT)
  })

  const cases: [string, Omit<ScheduledTagStatus, 'tag'>, string[]][] = [
    [
      'checked before, due later',
      { lastCheckTime: at(-120), nextCheckTime: at(13 * 60), failures: 0 },
      ['    last checked 2 minutes ago, next check in 13 minutes'],
    ],
    [
      'never checked, due in under a minute (go-units wording, lower case)',
      { nextCheckTime: at(50), failures: 0 },
      ['    not checked yet, next check in 50 seconds'],
    ],
    [
      'overdue',
      { lastCheckTime: at(-20 * 60), nextCheckTime: at(-5 * 60), failures: 0 },
      ['    last checked 20 minutes ago, next check overdue'],
    ],
    [
      'due exactly now counts as overdue',
      { lastCheckTime: at(-65), nextCheckTime: at(0), failures: 0 },
      ['    last checked about a minute ago, next check overdue'],
    ],
    [
      'failing, the message kept on one line',
      {
        lastCheckTime: at(-30),
        nextCheckTime: at(4 * 60),
        failures: 3,
        lastError: 'unauthorized:\n\tauthentication required',
      },
      [
        '    last checked 30 seconds ago, next check in 4 minutes',
        '    check failing (3 attempts): unauthorized: authentication required',
      ],
    ],
    [
      'one failure without a message',
      { lastCheckTime: at(-1), nextCheckTime: at(3600), failures: 1 },
      [
        '    last checked 1 second ago, next check in about an hour',
        '    check failing (1 attempt)',
      ],
    ],
    ['a next check time that does not parse', { nextCheckTime: 'soon', failures: 0 }, []],
  ]
  for (const [name, entry, lines] of cases) {
    void it(name, () => {
      const text = describeImageStream(full, NOW, schedule({ tag: 'latest', ...entry }))
      const source = `  updates automatically from registry ${REPO}:v1\n`
      assert.equal(
        text,
        FULL_TEXT.replace(source, `${source}${lines.map((l) => `${l}\n`).join('')}`),
      )
    })
  }
})

void describe('aliasTarget', () => {
  const stream = (tags: NonNullable<ImageStream['spec']>['tags']): ImageStream => ({
    metadata: { name: 'is', namespace: 'ns' },
    spec: { tags },
  })
  const ist = (name: string, namespace?: string) => ({
    kind: 'ImageStreamTag',
    name,
    ...(namespace && { namespace }),
  })
  const cases: [string, ImageStream, string, string | undefined][] = [
    ['a tag that is not a reference', stream([{ name: 'a' }]), 'a', undefined],
    ['one hop', stream([{ name: 'a' }, { name: 'b', from: ist('a') }]), 'b', 'a'],
    [
      'two hops, the second spelled stream:tag',
      stream([{ name: 'a' }, { name: 'b', from: ist('a') }, { name: 'c', from: ist('is:b') }]),
      'c',
      'a',
    ],
    [
      '`is:` means latest',
      stream([{ name: 'latest' }, { name: 'b', from: ist('is:') }]),
      'b',
      'latest',
    ],
    ['another stream', stream([{ name: 'a' }, { name: 'b', from: ist('x:a') }]), 'b', undefined],
    [
      'another namespace',
      stream([{ name: 'a' }, { name: 'b', from: ist('a', 'o') }]),
      'b',
      undefined,
    ],
    [
      'same namespace spelled out',
      stream([{ name: 'a' }, { name: 'b', from: ist('a', 'ns') }]),
      'b',
      'a',
    ],
    ['a missing target', stream([{ name: 'b', from: ist('a') }]), 'b', undefined],
    [
      'a cycle',
      stream([
        { name: 'a', from: ist('b') },
        { name: 'b', from: ist('a') },
      ]),
      'a',
      undefined,
    ],
  ]
  for (const [name, s, tag, want] of cases) {
    void it(name, () => assert.equal(aliasTarget(s, tag), want))
  }
})
