import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseGoBoolean, rewriteGoBooleans } from './go-flags.js'

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
