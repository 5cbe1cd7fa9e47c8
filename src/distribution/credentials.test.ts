import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { presentedToken } from './credentials.js'

const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`

describe('presentedToken', () => {
  const cases: [string | undefined, string | undefined][] = [
    [undefined, undefined],
    ['', undefined],
    ['Bearer tok', 'tok'],
    ['bearer  tok ', 'tok'],
    ['Bearer ', undefined],
    [basic('any:tok'), 'tok'],
    [basic('any:to:k'), 'to:k'],
    [basic(':tok'), 'tok'],
    [basic('any:'), undefined],
    [basic('nocolon'), undefined],
    ['Digest x', undefined],
    ['Bearer', undefined],
  ]
  for (const [header, token] of cases) {
    it(`${JSON.stringify(header)} -> ${JSON.stringify(token)}`, () => {
      assert.equal(presentedToken(header), token)
    })
  }
})
