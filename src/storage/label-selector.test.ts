import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseLabelSelector } from './label-selector.js'
import type { LabelRequirement } from './label-selector.js'
import { isStoreError } from './store.js'

describe('parseLabelSelector', () => {
  const parses: { selector: string; want: LabelRequirement[] }[] = [
    { selector: '', want: [] },
    { selector: '   ', want: [] },
    { selector: 'a=b', want: [{ key: 'a', operator: '=', values: ['b'] }] },
    { selector: 'a==b', want: [{ key: 'a', operator: '=', values: ['b'] }] },
    { selector: 'a!=b', want: [{ key: 'a', operator: '!=', values: ['b'] }] },
    { selector: 'a=', want: [{ key: 'a', operator: '=', values: [''] }] },
    {
      selector: 'a==,b',
      want: [
        { key: 'a', operator: '=', values: [''] },
        { key: 'b', operator: 'exists', values: [] },
      ],
    },
    { selector: 'a', want: [{ key: 'a', operator: 'exists', values: [] }] },
    { selector: '!a', want: [{ key: 'a', operator: '!', values: [] }] },
    { selector: 'a in (x, y)', want: [{ key: 'a', operator: 'in', values: ['x', 'y'] }] },
    { selector: 'a notin (x)', want: [{ key: 'a', operator: 'notin', values: ['x'] }] },
    { selector: 'a in ()', want: [{ key: 'a', operator: 'in', values: [''] }] },
    { selector: 'a in (,x)', want: [{ key: 'a', operator: 'in', values: ['', 'x'] }] },
    { selector: 'a in (x,)', want: [{ key: 'a', operator: 'in', values: ['x', ''] }] },
    { selector: 'a in (in,notin)', want: [{ key: 'a', operator: 'in', values: ['in', 'notin'] }] },
    { selector: 'a>5', want: [{ key: 'a', operator: 'gt', values: ['5'] }] },
    { selector: 'a<-5', want: [{ key: 'a', operator: 'lt', values: ['-5'] }] },
    {
      selector: 'example.com/app=web,!tier,env in (prod)',
      want: [
        { key: 'example.com/app', operator: '=', values: ['web'] },
        { key: 'tier', operator: '!', values: [] },
        { key: 'env', operator: 'in', values: ['prod'] },
      ],
    },
    { selector: 'a=b.c-d_e', want: [{ key: 'a', operator: '=', values: ['b.c-d_e'] }] },
  ]
  for (const c of parses) {
    it(`parses ${JSON.stringify(c.selector)}`, () => {
      assert.deepEqual(parseLabelSelector(c.selector).requirements, c.want)
    })
  }

  const errors: string[] = [
    'a=b,',
    ',a=b',
    'a=b c',
    'a in x',
    'a in (x',
    'a in (x y)',
    'a (x)',
    '=b',
    '!a=b',
    'a=(b)',
    'a>b',
    'a>',
    '-a=b',
    'a-=b',
    'Example.com/a=b',
    '/a=b',
    `${'k'.repeat(64)}=v`,
    `k=${'v'.repeat(64)}`,
    'a=-b',
    'a=!',
  ]
  for (const selector of errors) {
    it(`refuses ${JSON.stringify(selector)} with InvalidSelector`, () => {
      assert.throws(
        () => parseLabelSelector(selector),
        (e: unknown) =>
          isStoreError(e, 'InvalidSelector') &&
          (e as unknown as { selector: string }).selector === selector &&
          e.message.includes(JSON.stringify(selector)),
      )
    })
  }

  const labels = { app: 'web', tier: 'front', n: '10', bad: 'x' }
  const matches: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app=db', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (db,web)', true],
    ['app notin (web)', false],
    ['missing notin (web)', true],
    ['tier', true],
    ['missing', false],
    ['!missing', true],
    ['!tier', false],
    ['n>9', true],
    ['n>10', false],
    ['n<11', true],
    ['bad>1', false],
    ['missing<1', false],
    ['app=web,tier=back', false],
    ['app=web,tier=front', true],
  ]
  for (const [selector, want] of matches) {
    it(`${JSON.stringify(selector)} ${want ? 'matches' : 'does not match'}`, () => {
      assert.equal(parseLabelSelector(selector).matches(labels), want)
    })
  }

  it('treats absent labels as an empty map', () => {
    assert.equal(parseLabelSelector('!a').matches(undefined), true)
    assert.equal(parseLabelSelector('a').matches(undefined), false)
  })
})
