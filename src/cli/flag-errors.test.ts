import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { cobraErrorText } from './flag-errors.js'

void describe('cobraErrorText', () => {
  const rows: [string, string, string, string][] = [
    [
      "error: unknown option '--nope'\n(Did you mean --namespace?)",
      'commander.unknownOption',
      'isctl get',
      "Error: unknown flag: --nope\nSee 'isctl get --help' for usage.",
    ],
    [
      "error: unknown option '-x'",
      'commander.unknownOption',
      'isctl get',
      "Error: unknown shorthand flag: 'x' in -x\nSee 'isctl get --help' for usage.",
    ],
    [
      "error: option '-n, --namespace <namespace>' argument missing",
      'commander.optionMissingArgument',
      'isctl tag',
      "Error: flag needs an argument: --namespace\nSee 'isctl tag --help' for usage.",
    ],
    [
      "error: unknown command 'logz'\n(Did you mean logout?)",
      'commander.unknownCommand',
      'isctl',
      'Error: unknown command "logz" for "isctl"\n\nDid you mean this?\n\tlogout\n',
    ],
    [
      "error: unknown command 'zzz'",
      'commander.unknownCommand',
      'isctl adm',
      'Error: unknown command "zzz" for "isctl adm"',
    ],
    [
      'error: invalid argument "x" for "--confirm" flag: strconv.ParseBool: parsing "x": invalid syntax',
      'commander.error',
      'isctl adm prune images',
      'Error: invalid argument "x" for "--confirm" flag: strconv.ParseBool: parsing "x": invalid syntax\nSee \'isctl adm prune images --help\' for usage.',
    ],
  ]
  for (const [message, code, path, want] of rows) {
    void it(`${code}: ${message.split('\n')[0]}`, () =>
      assert.equal(cobraErrorText(message, code, path), want))
  }
})
