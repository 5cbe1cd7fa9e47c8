/**
 * Requests the apiserver refuses or bounds (docs/kubernetes-api.md#request-bodies-and-content-types,
 * #watch, #query-parameters): bodies nested past the limit in every accepted media type, watches
 * asking for timeouts past Node's timer range, and list options that are not options.
 */
/* eslint-disable @typescript-eslint/no-unsafe-member-access -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import type { IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { MAX_BODY_DEPTH } from '../body-depth.js'
import { startFixture, TOKEN, type Fixture } from './testing/fixture.js'

const IS = '/apis/image.openshift.io/v1/namespaces/default/imagestreams'
const HEAD = '"apiVersion":"image.openshift.io/v1","kind":"ImageStream"'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

/** nested is JSON text `{"a":{"a":...1...}}` with `depth` levels of objects. */
const nested = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)

/** nestedYAML is block-style YAML with `depth` levels of mappings under `key`. */
const nestedYAML = (key: string, depth: number): string =>
  `${key}:\n` +
  Array.from(
    { length: depth },
    (_, i) => `${'  '.repeat(i + 1)}a:${i === depth - 1 ? ' x' : ''}`,
  ).join('\n') +
  '\n'

describe('request bodies nested too deeply', () => {
  let fx: Fixture
  before(async () => {
    fx = await startFixture()
    const res = await fx.request({ method: 'POST', url: IS, body: { metadata: { name: 'deep' } } })
    assert.equal(res.statusCode, 201, res.body)
  })
  after(() => fx?.close())

  const deep = nested(3000)
  const cases: {
    name: string
    method: 'POST' | 'PATCH'
    url: string
    contentType: string
    body: string
  }[] = [
    {
      name: 'JSON',
      method: 'POST',
      url: IS,
      contentType: 'application/json',
      body: `{${HEAD},"metadata":{"name":"x","annotations":${deep}}}`,
    },
    {
      name: 'JSON without a Content-Type',
      method: 'POST',
      url: IS,
      contentType: '',
      body: `{${HEAD},"metadata":{"name":"x","labels":${deep}}}`,
    },
    {
      name: 'a merge patch',
      method: 'PATCH',
      url: `${IS}/deep`,
      contentType: 'application/merge-patch+json',
      body: `{"metadata":{"annotations":${deep}}}`,
    },
    {
      name: 'a strategic merge patch',
      method: 'PATCH',
      url: `${IS}/deep`,
      contentType: 'application/strategic-merge-patch+json',
      body: `{"spec":{"tags":[${deep}]}}`,
    },
    {
      name: 'a JSON patch',
      method: 'PATCH',
      url: `${IS}/deep`,
      contentType: 'application/json-patch+json',
      body: `[{"op":"add","path":"/metadata/annotations","value":${deep}}]`,
    },
    {
      name: 'an apply patch (JSON as YAML)',
      method: 'PATCH',
      url: `${IS}/deep?fieldManager=t`,
      contentType: 'application/apply-patch+yaml',
      body: `{${HEAD},"metadata":{"name":"deep","annotations":${deep}}}`,
    },
    {
      name: 'flow YAML just past the limit',
      method: 'POST',
      url: IS,
      contentType: 'application/yaml',
      body: `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata: {name: f}\nspec: {x: ${'['.repeat(MAX_BODY_DEPTH)}1${']'.repeat(MAX_BODY_DEPTH)}}\n`,
    },
    {
      name: 'block YAML just past the limit',
      method: 'POST',
      url: IS,
      contentType: 'application/yaml',
      body: `apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: y\n${nestedYAML('spec', MAX_BODY_DEPTH)}`,
    },
  ]
  for (const c of cases) {
    it(`answers 400 naming the limit to ${c.name}`, async () => {
      const res = await fx.app.inject({
        method: c.method,
        url: c.url,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(c.contentType === '' ? {} : { 'content-type': c.contentType }),
        },
        payload: c.body,
      })
      assert.equal(res.statusCode, 400, res.body)
      const status = res.json<{ reason: string; message: string }>()
      assert.equal(status.reason, 'BadRequest')
      assert.match(status.message, new RegExp(`exceeded max depth of ${MAX_BODY_DEPTH}$`))
    })
  }

  it(`accepts a body nested exactly ${MAX_BODY_DEPTH} levels deep`, async () => {
    // The object itself and spec are two levels; the unknown field is pruned.
    const body = `{${HEAD},"metadata":{"name":"at-limit"},"spec":{"x":${nested(MAX_BODY_DEPTH - 2)}}}`
    const res = await fx.request({ method: 'POST', url: IS, body, contentType: 'application/json' })
    assert.equal(res.statusCode, 201, res.body)
  })
})

describe('list options', () => {
  let fx: Fixture
  before(async () => {
    fx = await startFixture()
  })
  after(() => fx?.close())

  const cases: { query: string; code: number; message: string }[] = [
    {
      query: 'resourceVersion=abc',
      code: 400,
      message:
        'invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax',
    },
    {
      query: 'resourceVersion=18446744073709551616',
      code: 400,
      message:
        'invalid resource version: resourceVersion: Invalid value: "18446744073709551616": strconv.ParseUint: parsing "18446744073709551616": value out of range',
    },
    {
      query: 'resourceVersion=1&resourceVersionMatch=Bogus',
      code: 422,
      message:
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""',
    },
    {
      query: 'resourceVersionMatch=Bogus',
      code: 422,
      message:
        'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided, resourceVersionMatch: Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""]',
    },
    {
      query: 'watch=true&timeoutSeconds=1&resourceVersionMatch=NotOlderThan&resourceVersion=1',
      code: 422,
      message:
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch',
    },
  ]
  for (const c of cases) {
    it(`answers ${c.code} to ${c.query}`, async () => {
      const res = await fx.request({ method: 'GET', url: `${IS}?${c.query}` })
      assert.equal(res.statusCode, c.code, res.body)
      assert.equal(res.json<Json>().message, c.message)
    })
  }

  it('serves a list with resourceVersion=0 and resourceVersionMatch=NotOlderThan', async () => {
    const res = await fx.request({
      method: 'GET',
      url: `${IS}?resourceVersion=0&resourceVersionMatch=NotOlderThan`,
    })
    assert.equal(res.statusCode, 200, res.body)
    assert.equal(res.json<Json>().kind, 'ImageStreamList')
  })

  it('a create without apiVersion and kind takes them from the URL, as the typed apiserver decoder does', async () => {
    const res = await fx.request({ method: 'POST', url: IS, body: { metadata: { name: 'bare' } } })
    assert.equal(res.statusCode, 201, res.body)
    assert.equal(res.json<Json>().kind, 'ImageStream')
  })
})

describe('watch timeoutSeconds past the timer range', () => {
  let fx: Fixture
  let base: URL
  before(async () => {
    fx = await startFixture()
    await fx.request({ method: 'POST', url: IS, body: { metadata: { name: 'w' } } })
    await fx.app.listen({ host: '127.0.0.1', port: 0 })
    base = new URL(`https://127.0.0.1:${(fx.app.server.address() as AddressInfo).port}`)
  })
  after(() => fx?.close())

  for (const timeoutSeconds of ['9999999999', '0']) {
    it(`timeoutSeconds=${timeoutSeconds} stays open past a write and delivers its event`, async () => {
      const rv = (await fx.request({ method: 'GET', url: IS })).json<Json>().metadata
        .resourceVersion as string
      const path = `${IS}?watch=true&resourceVersion=${rv}&timeoutSeconds=${timeoutSeconds}`
      const req = httpsRequest(new URL(path, base), {
        ca: fx.caCertPem,
        headers: { authorization: `Bearer ${TOKEN}` },
      })
      req.on('error', () => undefined)
      req.end()
      const [res] = (await once(req, 'response')) as [IncomingMessage]
      res.on('error', () => undefined)
      assert.equal(res.statusCode, 200)
      res.setEncoding('utf8')
      let text = ''
      const firstLine = new Promise<string>((resolve) => {
        res.on('data', (chunk: string) => {
          text += chunk
          if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')))
        })
      })
      const ended = new Promise<string>((resolve) => res.once('close', () => resolve('ended')))
      const patched = await fx.request({
        method: 'PATCH',
        url: `${IS}/w`,
        contentType: 'application/merge-patch+json',
        body: { metadata: { labels: { t: timeoutSeconds } } },
      })
      assert.equal(patched.statusCode, 200, patched.body)
      const first = await Promise.race([firstLine, ended])
      assert.notEqual(first, 'ended', 'the watch ended before the write')
      const event = JSON.parse(first) as Json
      assert.equal(event.type, 'MODIFIED')
      assert.equal(event.object.metadata.labels.t, timeoutSeconds)
      req.destroy()
      await ended
    })
  }
})
