import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { prioritizeTags } from './prioritize-tags.js'

describe('prioritizeTags', () => {
  const cases: [string, string[], string[]][] = [
    ['latest first', ['a', 'latest', '1.0'], ['latest', '1.0', 'a']],
    [
      'minor versions before full versions, newest first',
      ['1.2.3', '1.2', '2.0', 'v2.1', '1.10', '2.0.1'],
      ['v2.1', '2.0', '1.10', '1.2', '2.0.1', '1.2.3'],
    ],
    [
      'a release before its pre-releases',
      ['5.1-rc1', '5.1', '5.1-rc2'],
      ['5.1', '5.1-rc2', '5.1-rc1'],
    ],
    [
      'full versions with suffixes',
      ['v5.1.3-x', '5.1.3', '5.1.10'],
      ['5.1.10', '5.1.3', 'v5.1.3-x'],
    ],
    [
      'the rest lexically',
      ['zeta', 'alpha', 'main', 'sha-abc'],
      ['alpha', 'main', 'sha-abc', 'zeta'],
    ],
    ['duplicates removed', ['1.0', '1.0', 'latest', 'latest'], ['latest', '1.0']],
    ['empty', [], []],
  ]
  for (const [name, input, want] of cases) {
    it(name, () => assert.deepEqual(prioritizeTags(input), want))
  }
})
