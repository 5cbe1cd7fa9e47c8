import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { goQuote, goStrings, isGoPrintable } from './go-quote.js'

void describe('goQuote', () => {
  const cases: [string, string][] = [
    ['kubectl', '"kubectl"'],
    ['a "b" \\c', '"a \\"b\\" \\\\c"'],
    ['tab\there\n', '"tab\\there\\n"'],
    ['nul\u0000del\u007f', '"nul\\x00del\\x7f"'],
    ['nbsp\u00a0zwsp\u200b', '"nbsp\\u00a0zwsp\\u200b"'],
    ['é☃😀', '"é☃😀"'],
    ['\u{e0001}', '"\\U000e0001"'],
  ]
  for (const [input, want] of cases) {
    void it(`quotes ${JSON.stringify(input)} as Go does`, () => {
      assert.equal(goQuote(input), want)
    })
  }
})

void describe('isGoPrintable', () => {
  void it('counts the ASCII space but no other space or control as printable', () => {
    assert.deepEqual([' ', 'a', '\t', '\u00a0', '\u2028'].map(isGoPrintable), [
      true,
      true,
      false,
      false,
      false,
    ])
  })
})

void describe('goStrings', () => {
  void it('quotes each string and joins them with spaces in brackets, as %q of a []string', () => {
    assert.equal(goStrings([]), '[]')
    assert.equal(goStrings(['alice', 'b"ob']), '["alice" "b\\"ob"]')
  })
})
