/**
 * Keys an ImageStreamTag or ImageTag body repeats are reported as kube's strict decoding reports
 * them for that kind, whether the write adds a tag to an existing stream or creates the stream:
 * fieldValidation=Strict is a 400 naming the kind and nothing is written, Warn one warning.
 */
/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startFixture, type Fixture } from './testing/fixture.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

const NS = '/apis/image.openshift.io/v1/namespaces/team-a'
const FROM_TWICE =
  '"from":{"kind":"DockerImage","name":"r/a:1"},"from":{"kind":"DockerImage","name":"r/a:2"}'

interface Case {
  readonly name: string
  readonly method: 'POST' | 'PUT'
  readonly url: string
  readonly body: string
  readonly kind: 'ImageStreamTag' | 'ImageTag'
  readonly field: string
}

const istag = (name: string) =>
  `{"apiVersion":"image.openshift.io/v1","kind":"ImageStreamTag","metadata":{"name":"${name}"},"tag":{${FROM_TWICE}}}`
// An ImageTag update takes the spec's name from the body, not the object's name.
const itag = (name: string) =>
  `{"apiVersion":"image.openshift.io/v1","kind":"ImageTag","metadata":{"name":"${name}"},"spec":{"name":"${name.split(':')[1]}",${FROM_TWICE}}}`

function cases(stream: string): Case[] {
  return [
    {
      name: `an ImageStreamTag create on ${stream}`,
      method: 'POST',
      url: `${NS}/imagestreamtags`,
      body: istag(`${stream}:new-istag`),
      kind: 'ImageStreamTag',
      field: 'tag.from',
    },
    {
      name: `an ImageTag create on ${stream}`,
      method: 'POST',
      url: `${NS}/imagetags`,
      body: itag(`${stream}:new-itag`),
      kind: 'ImageTag',
      field: 'spec.from',
    },
    {
      name: `an ImageStreamTag update on ${stream}`,
      method: 'PUT',
      url: `${NS}/imagestreamtags/${stream}:put-istag`,
      body: istag(`${stream}:put-istag`),
      kind: 'ImageStreamTag',
      field: 'tag.from',
    },
    {
      name: `an ImageTag update on ${stream}`,
      method: 'PUT',
      url: `${NS}/imagetags/${stream}:put-itag`,
      body: itag(`${stream}:put-itag`),
      kind: 'ImageTag',
      field: 'spec.from',
    },
  ]
}

void describe('repeated keys in the bodies of the tag kinds', () => {
  let fx: Fixture
  let app: Json

  const streams = async () => {
    const res = await fx.request({ method: 'GET', url: `${NS}/imagestreams` })
    return res.json<Json>().items.map((s: Json) => [s.metadata.name, s.metadata.resourceVersion])
  }

  before(async () => {
    fx = await startFixture()
    await fx.createNamespace('team-a')
    const created = await fx.request({
      method: 'POST',
      url: `${NS}/imagestreams`,
      body: { metadata: { name: 'app' } },
    })
    assert.equal(created.statusCode, 201, created.body)
    app = created.json()
  })
  after(() => fx.close())

  for (const c of [...cases('app'), ...cases('fresh')]) {
    void it(`${c.name} with fieldValidation=Strict: 400 naming the kind, nothing written`, async () => {
      const res = await fx.request({
        method: c.method,
        url: `${c.url}?fieldValidation=Strict`,
        body: c.body,
      })
      assert.equal(res.statusCode, 400, res.body)
      assert.equal(
        res.json<Json>().message,
        `${c.kind} in version "v1" cannot be handled as a ${c.kind}: strict decoding error: duplicate field "${c.field}"`,
      )
      assert.deepEqual(await streams(), [['app', app.metadata.resourceVersion]])
    })
  }

  for (const c of [...cases('app'), ...cases('fresh')]) {
    void it(`${c.name} with fieldValidation=Warn: written with one warning`, async () => {
      const res = await fx.request({
        method: c.method,
        url: `${c.url}?fieldValidation=Warn&dryRun=All`,
        body: c.body,
      })
      assert.equal(res.statusCode, 201, res.body)
      assert.deepEqual([res.headers.warning].flat(), [`299 - "duplicate field \\"${c.field}\\""`])
    })
  }
})
