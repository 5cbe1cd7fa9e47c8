import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { describe, it } from 'node:test'
import { promptLine } from './prompt.js'

/** A terminal that types `keys` once the prompt listens. */
function terminal(keys: string) {
  const input = new EventEmitter() as EventEmitter & {
    raw: boolean[]
    setRawMode(raw: boolean): void
    resume(): void
    pause(): void
  }
  input.raw = []
  input.setRawMode = (raw) => input.raw.push(raw)
  input.resume = () => setImmediate(() => input.emit('data', Buffer.from(keys)))
  input.pause = () => {}
  let shown = ''
  return { input, output: { write: (s: string) => (shown += s) }, shown: () => shown }
}

describe('promptLine', () => {
  it('reads a password without echoing it, in raw mode and back', async () => {
    const t = terminal('s3cret\r')
    assert.equal(await promptLine(t.input, t.output, 'Password: ', false), 's3cret')
    assert.equal(t.shown(), 'Password: \n')
    assert.deepEqual(t.input.raw, [true, false])
  })

  it('echoes a user name and honours backspace', async () => {
    const t = terminal('alicx\u007fe\n')
    assert.equal(await promptLine(t.input, t.output, 'Username: ', true), 'alice')
    assert.equal(t.shown(), 'Username: alicx\b \be\n')
  })

  it('Ctrl-C ends the prompt with an error', async () => {
    const t = terminal('ab\u0003')
    await assert.rejects(promptLine(t.input, t.output, 'Password: ', false), {
      name: 'PromptAbortedError',
    })
  })
})
