import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  flagValue,
  parseGoBoolean,
  parseGoDuration,
  parseGoInt,
  rewriteGoBooleans,
} from './go-flags.js'

void describe('rewriteGoBooleans', () => {
  const names = ['confirm', 'insecure']
  void it("turns pflag's --flag=value into commander flags", () => {
    assert.deepEqual(
      rewriteGoBooleans(['app', '--confirm=true', '--insecure=false', '--from=x'], names),
      { args: ['app', '--confirm', '--no-insecure', '--from=x'] },
    )
  })
  void it('leaves everything after -- alone', () => {
    assert.deepEqual(rewriteGoBooleans(['--', '--confirm=true'], names), {
      args: ['--', '--confirm=true'],
    })
  })
  void it('rejects a value that is not a boolean, as pflag does', () => {
    assert.deepEqual(rewriteGoBooleans(['--confirm=yes'], names), {
      error:
        'invalid argument "yes" for "--confirm" flag: strconv.ParseBool: parsing "yes": invalid syntax',
    })
  })
  void it('reads every spelling strconv.ParseBool accepts', () => {
    for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseGoBoolean(v), true)
    for (const v of ['0', 'f', 'F', 'FALSE', 'false', 'False'])
      assert.equal(parseGoBoolean(v), false)
    assert.equal(parseGoBoolean('yes'), undefined)
  })
})

void describe('parseGoDuration', () => {
  const good: [string, number][] = [
    ['0', 0],
    ['60m', 3_600_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['1.s', 1000],
    ['-2s', -2000],
    ['+3ms', 3],
    ['168h', 604_800_000],
    ['1500us', 1.5],
    ['2µs', 0.002],
  ]
  for (const [input, ms] of good) {
    void it(`${input} is ${ms} ms`, () => assert.equal(parseGoDuration(input), ms))
  }
  const bad: [string, string][] = [
    ['', 'time: invalid duration ""'],
    ['abc', 'time: invalid duration "abc"'],
    ['.s', 'time: invalid duration ".s"'],
    ['-', 'time: invalid duration "-"'],
    ['5', 'time: missing unit in duration "5"'],
    ['1h5', 'time: missing unit in duration "1h5"'],
    ['7d', 'time: unknown unit "d" in duration "7d"'],
  ]
  for (const [input, message] of bad) {
    void it(`refuses ${JSON.stringify(input)} with Go's text`, () =>
      assert.throws(() => parseGoDuration(input), { message }))
  }
})

void describe('parseGoInt', () => {
  const good: [string, number][] = [
    ['3', 3],
    ['0', 0],
    ['-1', -1],
    ['+7', 7],
    ['0x10', 16],
    ['010', 8],
    ['0b11', 3],
    ['0o17', 15],
  ]
  for (const [input, n] of good) {
    void it(`${input} is ${n}`, () => assert.equal(parseGoInt(input), n))
  }
  for (const input of ['', 'x', '1.5', '3h', '08', ' 1']) {
    void it(`refuses ${JSON.stringify(input)}`, () =>
      assert.throws(() => parseGoInt(input), {
        message: `strconv.ParseInt: parsing ${JSON.stringify(input)}: invalid syntax`,
      }))
  }
})

void describe('flagValue', () => {
  void it("reports a refused value as pflag's invalid argument", () => {
    assert.throws(() => flagValue('keep-younger-than', '7d', parseGoDuration), {
      name: 'UsageError',
      message:
        'invalid argument "7d" for "--keep-younger-than" flag: time: unknown unit "d" in duration "7d"',
    })
    assert.equal(flagValue('num-workers', '2', parseGoInt), 2)
  })
})
