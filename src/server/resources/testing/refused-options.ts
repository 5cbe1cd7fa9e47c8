/**
 * The table runner shared by the tests of write options (dryRun, fieldManager,
 * fieldValidation): each row is a request whose options apimachinery's validation refuses, and
 * must get 422 Invalid in the meta.k8s.io group with the row's message and a cause on the
 * option's field, with nothing written.
 */
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return -- API responses are untyped JSON read field by field: a wrong path fails its assertion */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startFixture, withImageStreamImports, type Fixture } from './fixture.js'

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read ad hoc

/** G is the image group's path prefix. */
export const G = '/apis/image.openshift.io/v1'
/** IS is team-a's image streams, where every table starts with one stream, `ruby`. */
export const IS = `${G}/namespaces/team-a/imagestreams`
/** SECRETS is team-a's secrets, empty in every table. */
export const SECRETS = '/api/v1/namespaces/team-a/secrets'
/** MERGE and APPLY are the patch media types the tables send. */
export const MERGE = 'application/merge-patch+json'
export const APPLY = 'application/apply-patch+yaml'
/** APPLY_RUBY is an apply configuration of the `ruby` stream. */
export const APPLY_RUBY =
  'apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: ruby\n'

/** stream is an ImageStream named `name` with nothing else. */
export const stream = (name: string) => ({
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStream',
  metadata: { name },
})

/** ISI is where image stream imports are posted, and IMPORT_ONLY_CHECK one that imports nothing. */
export const ISI = `${G}/namespaces/team-a/imagestreamimports`
export const IMPORT_ONLY_CHECK = {
  apiVersion: 'image.openshift.io/v1',
  kind: 'ImageStreamImport',
  metadata: { name: 'ruby' },
  spec: { import: false },
}

/** RefusedOptionsCase is one request whose options are refused. */
export interface RefusedOptionsCase {
  readonly name: string
  readonly method: 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  readonly url: string
  /** The query after `?`, the refused option included. */
  readonly query: string
  readonly body?: unknown
  readonly contentType?: string
  readonly message: string
}

/**
 * describeRefusedOptions runs `cases` against one fixture (team-a with the stream `ruby`, whose
 * tag `latest` is from ruby:3), asserting a cause on `field` with `causeReason` when given;
 * `more` adds tests of what the option still allows, given the fixture.
 */
export function describeRefusedOptions(
  title: string,
  field: string,
  cases: readonly RefusedOptionsCase[],
  opts: { causeReason?: string; more?: (fixture: () => Fixture) => void } = {},
): void {
  void describe(title, () => {
    let fx: Fixture
    let ruby: Json

    before(async () => {
      fx = await startFixture({}, withImageStreamImports)
      await fx.createNamespace('team-a')
      const created = await fx.request({
        method: 'POST',
        url: IS,
        body: {
          ...stream('ruby'),
          spec: { tags: [{ name: 'latest', from: { kind: 'DockerImage', name: 'ruby:3' } }] },
        },
      })
      assert.equal(created.statusCode, 201, created.body)
      ruby = created.json()
    })
    after(() => fx.close())

    for (const c of cases) {
      void it(`${c.name}: 422 and nothing written`, async () => {
        const res = await fx.request({
          method: c.method,
          url: c.query === '' ? c.url : `${c.url}?${c.query}`,
          ...(c.body === undefined ? {} : { body: c.body }),
          ...(c.contentType === undefined ? {} : { contentType: c.contentType }),
        })
        assert.equal(res.statusCode, 422, res.body)
        const status = res.json<Json>()
        assert.equal(status.reason, 'Invalid')
        assert.equal(status.message, c.message)
        assert.equal(status.details.group, 'meta.k8s.io')
        const cause = status.details.causes.find((x: Json) => x.field === field)
        assert.ok(cause, `a cause on ${field}`)
        if (opts.causeReason !== undefined) assert.equal(cause.reason, opts.causeReason)
        const streams = await fx.request({ method: 'GET', url: IS })
        assert.deepEqual(
          streams
            .json<Json>()
            .items.map((s: Json) => [s.metadata.name, s.metadata.resourceVersion]),
          [['ruby', ruby.metadata.resourceVersion]],
        )
        const secrets = await fx.request({ method: 'GET', url: SECRETS })
        assert.deepEqual(secrets.json<Json>().items, [])
      })
    }

    opts.more?.(() => fx)
  })
}
