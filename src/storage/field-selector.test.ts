import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseFieldSelector } from './field-selector.js'
import type { FieldRequirement, ObjectFields } from './field-selector.js'
import { isStoreError } from './store.js'

describe('parseFieldSelector', () => {
  const parses: { selector: string; want: FieldRequirement[] }[] = [
    { selector: '', want: [] },
    { selector: 'metadata.name=a', want: [{ field: 'metadata.name', operator: '=', value: 'a' }] },
    { selector: 'metadata.name==a', want: [{ field: 'metadata.name', operator: '=', value: 'a' }] },
    {
      selector: 'metadata.name!=a',
      want: [{ field: 'metadata.name', operator: '!=', value: 'a' }],
    },
    { selector: 'metadata.name=', want: [{ field: 'metadata.name', operator: '=', value: '' }] },
    {
      selector: 'metadata.name=nodejs:20,metadata.namespace=ns',
      want: [
        { field: 'metadata.name', operator: '=', value: 'nodejs:20' },
        { field: 'metadata.namespace', operator: '=', value: 'ns' },
      ],
    },
    {
      selector: 'metadata.name=a\\,b\\=c\\\\d',
      want: [{ field: 'metadata.name', operator: '=', value: 'a,b=c\\d' }],
    },
    { selector: 'metadata.name=a,', want: [{ field: 'metadata.name', operator: '=', value: 'a' }] },
  ]
  for (const c of parses) {
    it(`parses ${JSON.stringify(c.selector)}`, () => {
      assert.deepEqual(parseFieldSelector(c.selector).requirements, c.want)
    })
  }

  const errors = [
    'metadata.name',
    'spec.tags=x',
    'metadata.labels=x',
    'metadata.name=a=b',
    'metadata.name=a\\x',
    'metadata.name=a\\',
    ' metadata.name=a',
  ]
  for (const selector of errors) {
    it(`refuses ${JSON.stringify(selector)} with InvalidSelector`, () => {
      assert.throws(
        () => parseFieldSelector(selector),
        (e: unknown) =>
          isStoreError(e, 'InvalidSelector') && e.message.includes(JSON.stringify(selector)),
      )
    })
  }

  const matches: [string, string, string, boolean][] = [
    ['metadata.name=a', 'ns', 'a', true],
    ['metadata.name=a', 'ns', 'b', false],
    ['metadata.name!=a', 'ns', 'b', true],
    ['metadata.namespace=ns', 'ns', 'a', true],
    ['metadata.namespace=', '', 'a', true],
    ['metadata.namespace=ns,metadata.name!=a', 'ns', 'a', false],
  ]
  for (const [selector, ns, name, want] of matches) {
    it(`${JSON.stringify(selector)} on ${ns}/${name} is ${want}`, () => {
      assert.equal(parseFieldSelector(selector).matches(ns, name), want)
    })
  }

  const reason: ObjectFields = {
    names: new Set(['reason']),
    valueOf: (object, field) => String((object as { reason?: string })[field as 'reason'] ?? ''),
  }
  const event = { metadata: { name: 'e' }, reason: 'Failed' }
  const declared: [string, boolean][] = [
    ['reason=Failed', true],
    ['reason!=Failed', false],
    ['reason=Other,metadata.name=e', false],
    ['reason=', false],
  ]
  for (const [selector, want] of declared) {
    it(`${JSON.stringify(selector)} reads a declared field: ${want}`, () => {
      const parsed = parseFieldSelector(selector, reason)
      assert.equal(parsed.readsObject, true)
      assert.equal(parsed.matches('ns', 'e', event), want)
    })
  }

  it('refuses a field the resource does not declare', () => {
    assert.throws(
      () => parseFieldSelector('type=Warning', reason),
      (e: unknown) =>
        isStoreError(e, 'InvalidSelector') && e.message.includes('field label not supported: type'),
    )
    assert.equal(parseFieldSelector('metadata.name=a', reason).readsObject, false)
  })
})
