/**
 * The minimum rate of verifyingStream, with the window's clock mocked: a source below the rate
 * is ended, while a reader that stops reading (backpressure) or a source that has delivered
 * everything is never held against the source.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { PassThrough, type Readable } from 'node:stream'
import { afterEach, beforeEach, describe, it, mock } from 'node:test'
import { setImmediate as turn } from 'node:timers/promises'
import { verifyingStream, type MinRate } from './blob-stream.js'

const RATE: MinRate = { bytes: 1024, windowMs: 10_000 }
const BLOB = Buffer.alloc(256 * 1024, 'layer bytes ')
const DIGEST = `sha256:${createHash('sha256').update(BLOB).digest('hex')}`

function verified(source: Readable): Readable {
  return verifyingStream(source, {
    digest: DIGEST,
    size: BLOB.length,
    mismatch: (actual) => new Error(`mismatch: ${actual}`),
    sourceError: (err) => (err instanceof Error ? err : new Error(String(err))),
    minRate: RATE,
    tooSlow: (rate) => new Error(`fewer than ${rate.bytes} bytes in ${rate.windowMs} ms`),
  })
}

/** windows lets `n` rate windows pass, with the stream's own ticks in between. */
async function windows(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    mock.timers.tick(RATE.windowMs)
    await turn()
  }
}

describe('verifyingStream minimum rate', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval'] }))
  afterEach(() => mock.timers.reset())

  it('ends a source that delivers less than the rate while the reader waits', async () => {
    const source = new PassThrough()
    const out = verified(source)
    const failed = once(out, 'error')
    out.resume()
    source.write(BLOB.subarray(0, 100))
    await windows(1)
    const [err] = (await failed) as [Error]
    assert.match(err.message, /fewer than 1024 bytes in 10000 ms/)
    assert.equal(source.destroyed, true)
  })

  it('keeps a source that meets the rate in every window', async () => {
    const source = new PassThrough()
    const out = verified(source)
    const chunks: Buffer[] = []
    out.on('data', (c: Buffer) => chunks.push(c))
    for (let i = 0; i < 4; i++) {
      source.write(BLOB.subarray(i * 2048, (i + 1) * 2048))
      await windows(1)
    }
    source.end(BLOB.subarray(4 * 2048))
    await once(out, 'end')
    assert.deepEqual(Buffer.concat(chunks), BLOB)
  })

  it('does not judge windows in which the reader was not reading', async () => {
    const source = new PassThrough()
    const out = verified(source)
    // More than the pipe buffers: the source is paused by backpressure, and stays so.
    for (let at = 0; at < 128 * 1024; at += 16 * 1024)
      source.write(BLOB.subarray(at, at + 16 * 1024))
    await turn()
    assert.equal(source.isPaused(), true)
    await windows(5)
    assert.equal(out.destroyed, false)
    const chunks: Buffer[] = []
    out.on('data', (c: Buffer) => chunks.push(c))
    source.end(BLOB.subarray(128 * 1024))
    await once(out, 'end')
    assert.deepEqual(Buffer.concat(chunks), BLOB)
  })

  it('owes nothing once the source has delivered everything', async () => {
    const source = new PassThrough()
    const out = verified(source)
    source.end(BLOB)
    await once(source, 'end')
    await windows(3)
    assert.equal(out.destroyed, false)
    const chunks: Buffer[] = []
    for await (const c of out) chunks.push(c as Buffer)
    assert.deepEqual(Buffer.concat(chunks), BLOB)
  })
})
