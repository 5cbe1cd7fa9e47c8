import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { UsageError } from './errors.js'
import { parseResourceArgs, qualifiedKind, qualifiedResource } from './resource-args.js'

describe('parseResourceArgs', () => {
  const cases: { args: string[]; want?: [string, string[]][]; error?: RegExp }[] = [
    { args: ['is'], want: [['imagestreams', []]] },
    { args: ['istag', 'a:b', 'c:d'], want: [['imagestreamtags', ['a:b', 'c:d']]] },
    {
      args: ['is,sa'],
      want: [
        ['imagestreams', []],
        ['serviceaccounts', []],
      ],
    },
    { args: ['is,imagestreams'], want: [['imagestreams', []]] },
    { args: ['ImageStream.image.openshift.io', 'x'], want: [['imagestreams', ['x']]] },
    {
      args: ['is/a', 'secret/b', 'is/c'],
      want: [
        ['imagestreams', ['a', 'c']],
        ['secrets', ['b']],
      ],
    },
    { args: [], error: /^you must specify the type of resource to get/ },
    { args: ['widgets'], error: /^the server doesn't have a resource type "widgets"$/ },
    { args: ['is,sa', 'x'], error: /must have a single resource and name/ },
    { args: ['is', 'is/x'], error: /no need to specify a resource type as a separate argument/ },
    { args: ['is/'], error: /no need to specify a resource type/ },
  ]
  for (const c of cases) {
    it(c.args.join(' ') || '(nothing)', () => {
      if (c.error) {
        assert.throws(
          () => parseResourceArgs(c.args, 'get'),
          (e: unknown) => e instanceof UsageError && c.error!.test(e.message),
        )
        return
      }
      const got = parseResourceArgs(c.args, 'get').map((t) => [t.resource.plural, t.names])
      assert.deepEqual(got, c.want)
    })
  }

  it('names types as kubectl does', () => {
    const [is] = parseResourceArgs(['is'], 'get')
    const [sa] = parseResourceArgs(['sa'], 'get')
    assert.equal(qualifiedKind(is!.resource), 'imagestream.image.openshift.io')
    assert.equal(qualifiedKind(sa!.resource), 'serviceaccount')
    assert.equal(qualifiedResource(is!.resource), 'imagestreams.image.openshift.io')
    assert.equal(qualifiedResource(sa!.resource), 'serviceaccounts')
  })
})
