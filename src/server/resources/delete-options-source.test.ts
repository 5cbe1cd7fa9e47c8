/**
 * Where a delete's DeleteOptions come from, as the apiserver's delete handlers read them: the
 * body when one is sent (the query's dryRun is then not looked at, valid or not), else the
 * query; for one object and for a collection.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startFixture, type Fixture } from './testing/fixture.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

const IS = '/apis/image.openshift.io/v1/namespaces/team-a/imagestreams'
const DELETE_OPTIONS = { kind: 'DeleteOptions', apiVersion: 'v1' }

interface Case {
  readonly name: string
  /** True for a collection delete (of the one stream the case creates). */
  readonly collection?: boolean
  /** The query after `?`. */
  readonly query: string
  readonly body?: unknown
  readonly code: 200 | 422
  /** Whether the stream is still there afterwards. */
  readonly kept: boolean
}

const CASES: readonly Case[] = [
  {
    name: 'dryRun X in the query and a body without dryRun: deleted, as the body says',
    query: 'dryRun=X',
    body: DELETE_OPTIONS,
    code: 200,
    kept: false,
  },
  {
    name: 'dryRun All in the query and a body without dryRun: deleted, as the body says',
    query: 'dryRun=All',
    body: DELETE_OPTIONS,
    code: 200,
    kept: false,
  },
  {
    name: 'dryRun X in the query and dryRun All in the body: a dry run',
    query: 'dryRun=X',
    body: { ...DELETE_OPTIONS, dryRun: ['All'] },
    code: 200,
    kept: true,
  },
  {
    name: 'a collection delete with dryRun X in the query and a body without dryRun: deleted',
    collection: true,
    query: 'dryRun=X',
    body: DELETE_OPTIONS,
    code: 200,
    kept: false,
  },
  {
    name: 'a collection delete with dryRun All in the query and an empty body object: deleted',
    collection: true,
    query: 'dryRun=All',
    body: {},
    code: 200,
    kept: false,
  },
  {
    name: 'no body and dryRun All in the query: a dry run',
    query: 'dryRun=All',
    code: 200,
    kept: true,
  },
  {
    name: 'no body and dryRun X in the query: refused',
    query: 'dryRun=X',
    code: 422,
    kept: true,
  },
  {
    name: 'a collection delete with no body and dryRun All in the query: a dry run',
    collection: true,
    query: 'dryRun=All',
    code: 200,
    kept: true,
  },
]

void describe('DeleteOptions from the body or, without one, the query', () => {
  let fx: Fixture

  before(async () => {
    fx = await startFixture({})
    await fx.createNamespace('team-a')
  })
  after(() => fx.close())

  CASES.forEach((c, i) => {
    void it(c.name, async () => {
      const name = `s${i}`
      const created = await fx.request({
        method: 'POST',
        url: IS,
        body: {
          apiVersion: 'image.openshift.io/v1',
          kind: 'ImageStream',
          metadata: { name, labels: { case: name } },
        },
      })
      assert.equal(created.statusCode, 201, created.body)
      const url = c.collection ? `${IS}?labelSelector=case%3D${name}&` : `${IS}/${name}?`
      const res = await fx.request({
        method: 'DELETE',
        url: `${url}${c.query}`,
        ...(c.body === undefined ? {} : { body: c.body }),
      })
      assert.equal(res.statusCode, c.code, res.body)
      if (c.code === 422) {
        assert.equal(
          res.json<Json>().message,
          'DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"X"}: supported values: "All"',
        )
      }
      const after = await fx.request({ method: 'GET', url: `${IS}/${name}` })
      assert.equal(after.statusCode, c.kept ? 200 : 404, after.body)
    })
  })
})
