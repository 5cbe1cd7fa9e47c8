/** Unit tests of the import form's checks: the messages of `isctl import-image`. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { INVALID_IMPORT_TARGET } from '../api/cli-messages.js'
import { IMPORT_MODE_FLAG_MESSAGE } from '../api/constants.js'
import { parseImportTarget } from '../cli/commands/import-image.js'
import { checkImport, type ImportInput } from './imports.js'

const GOOD: ImportInput = {
  stream: 'app',
  from: 'quay.io/team/app:1',
  tag: 'latest',
  importMode: 'Legacy',
  referencePolicy: 'Source',
  scheduled: false,
  insecure: false,
}

describe('checkImport', () => {
  const rows: [
    string,
    Partial<ImportInput>,
    Partial<Record<keyof ImportInput, string | RegExp>>,
  ][] = [
    ['a good input', {}, {}],
    [
      'PreserveOriginal and Local',
      { importMode: 'PreserveOriginal', referencePolicy: 'Local' },
      {},
    ],
    ['no stream', { stream: '' }, { stream: 'you must specify the name of an image stream' }],
    ['a bad stream name', { stream: 'a/b' }, { stream: /^invalid image stream name: / }],
    ['no from', { from: '' }, { from: 'you must specify the image to import (--from)' }],
    ['a bad from', { from: 'Bad Name' }, { from: INVALID_IMPORT_TARGET }],
    ['a from with a scheme', { from: 'https://quay.io/a:1' }, { from: INVALID_IMPORT_TARGET }],
    ['a bad tag', { tag: '.x' }, { tag: /^a tag must be 1-128/ }],
    ['a bad import mode', { importMode: 'legacy' }, { importMode: IMPORT_MODE_FLAG_MESSAGE }],
    [
      'a bad reference policy',
      { referencePolicy: 'source' },
      { referencePolicy: 'valid reference policy values are source or local' },
    ],
  ]
  for (const [what, change, expected] of rows) {
    it(what, () => {
      const problems = checkImport({ ...GOOD, ...change })
      assert.deepEqual(Object.keys(problems).sort(), Object.keys(expected).sort())
      for (const [key, want] of Object.entries(expected)) {
        const got = problems[key as keyof ImportInput]!
        if (typeof want === 'string') assert.equal(got, want)
        else assert.match(got, want)
      }
    })
  }
  it('refuses a bad from with the words of isctl import-image', () => {
    assert.throws(() => parseImportTarget('Bad Name'), { message: INVALID_IMPORT_TARGET })
  })
})
