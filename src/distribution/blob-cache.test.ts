import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { BlobCache } from './blob-cache.js'

const digestOf = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`

const warnings: string[] = []
const logger = {
  warn: (_context: Record<string, unknown>, message: string) => warnings.push(message),
}

/** blob is `size` bytes of `fill`, with its digest. */
function blob(fill: number, size = 100): { data: Buffer; digest: string } {
  const data = Buffer.alloc(size, fill)
  return { data, digest: digestOf(data) }
}

/** chunks streams `data` in pieces, as a response body arrives. */
const chunks = (data: Buffer) => Readable.from([data.subarray(0, 10), data.subarray(10)])

describe('BlobCache', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'blob-cache-'))
    warnings.length = 0
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  const keep = async (cache: BlobCache, b: { data: Buffer; digest: string }) => {
    const out = await buffer(cache.capture(b.digest, b.data.length, chunks(b.data)))
    await cache.settled()
    return out
  }

  it('passes a blob through and serves the same bytes from disk afterwards', async () => {
    const cache = await BlobCache.open({ dir, maxBytes: 1000, logger })
    const b = blob(1)
    assert.deepEqual(await keep(cache, b), b.data)
    assert.equal(cache.size(b.digest), 100)
    const hit = await cache.read(b.digest)
    assert.equal(hit?.size, 100)
    assert.deepEqual(await buffer(hit.body), b.data)
    assert.deepEqual(await readFile(join(dir, 'sha256', b.digest.slice(7))), b.data)
    assert.deepEqual(await readdir(join(dir, 'tmp')), [])
  })

  it('reads an inclusive byte range of a kept blob', async () => {
    const cache = await BlobCache.open({ dir, maxBytes: 1000, logger })
    const b = blob(13)
    b.data.write('0123456789', 20)
    const kept = { data: b.data, digest: digestOf(b.data) }
    await keep(cache, kept)
    const part = await cache.read(kept.digest, { start: 20, end: 29 })
    assert.equal((await buffer(part!.body)).toString(), '0123456789')
  })

  it('keeps nothing of a body that fails part way (a digest mismatch, a reset)', async () => {
    const cache = await BlobCache.open({ dir, maxBytes: 1000, logger })
    const b = blob(2)
    const failing = new Readable({
      read() {
        this.push(b.data.subarray(0, 50))
        this.destroy(new Error('digest mismatch'))
      },
    })
    await assert.rejects(buffer(cache.capture(b.digest, 100, failing)), /digest mismatch/)
    await cache.settled()
    assert.equal(cache.size(b.digest), undefined)
    assert.equal(existsSync(join(dir, 'sha256', b.digest.slice(7))), false)
    assert.deepEqual(await readdir(join(dir, 'tmp')), [])
  })

  it('keeps nothing when the reader leaves before the end', async () => {
    const cache = await BlobCache.open({ dir, maxBytes: 1000, logger })
    const b = blob(3)
    // An upstream that sent a part and then stalls.
    const stalled = new Readable({ read() {} })
    stalled.push(b.data.subarray(0, 50))
    const out = cache.capture(b.digest, 100, stalled)
    await new Promise<void>((resolve) => out.once('data', () => resolve()))
    const closed = new Promise((resolve) => out.once('close', resolve))
    out.destroy()
    await closed
    assert.equal(stalled.destroyed, true, 'the upstream body is destroyed with the reader')
    await cache.settled()
    assert.equal(cache.size(b.digest), undefined)
    assert.deepEqual(await readdir(join(dir, 'tmp')), [])
  })

  it('streams a blob larger than the whole cache without keeping it', async () => {
    const cache = await BlobCache.open({ dir, maxBytes: 50, logger })
    const b = blob(4)
    assert.deepEqual(await keep(cache, b), b.data)
    assert.equal(cache.size(b.digest), undefined)
    assert.equal(cache.bytes, 0)
  })

  it('evicts the least recently used blobs to stay within its size', async () => {
    const cache = await BlobCache.open({ dir, maxBytes: 250, logger })
    const [a, b, c] = [blob(5), blob(6), blob(7)]
    await keep(cache, a)
    await keep(cache, b)
    // Reading `a` makes `b` the least recently used.
    await buffer((await cache.read(a.digest))!.body)
    await keep(cache, c)
    assert.equal(cache.bytes, 200)
    assert.equal(cache.size(b.digest), undefined)
    assert.equal(existsSync(join(dir, 'sha256', b.digest.slice(7))), false)
    assert.equal(cache.size(a.digest), 100)
    assert.equal(cache.size(c.digest), 100)
  })

  it('finds its blobs again after a restart, drops unfinished writes and ignores strangers', async () => {
    const first = await BlobCache.open({ dir, maxBytes: 1000, logger })
    const b = blob(8)
    await keep(first, b)
    await writeFile(join(dir, 'tmp', 'sha256-torn'), 'partial')
    // Files the cache did not write are not blobs to it.
    await writeFile(join(dir, 'sha256', 'not-a-digest'), 'junk')
    await writeFile(join(dir, 'README'), 'junk')
    const second = await BlobCache.open({ dir, maxBytes: 1000, logger })
    assert.equal(second.size(b.digest), 100)
    assert.equal(second.bytes, 100)
    assert.deepEqual(await buffer((await second.read(b.digest))!.body), b.data)
    assert.deepEqual(await readdir(join(dir, 'tmp')), [])
  })

  it('shrinks to a smaller size at start, oldest first', async () => {
    const first = await BlobCache.open({ dir, maxBytes: 1000, logger })
    const [a, b] = [blob(9), blob(10)]
    await keep(first, a)
    await keep(first, b)
    // The mtimes of two quick writes may be equal; the second is read, so it is the newer.
    await buffer((await first.read(b.digest))!.body)
    await first.settled()
    const second = await BlobCache.open({ dir, maxBytes: 150, logger })
    assert.equal(second.bytes, 100)
    assert.equal(second.size(b.digest), 100)
  })

  it('forgets a blob whose file went missing, so the pull goes upstream again', async () => {
    const cache = await BlobCache.open({ dir, maxBytes: 1000, logger })
    const b = blob(11)
    await keep(cache, b)
    await rm(join(dir, 'sha256', b.digest.slice(7)))
    assert.equal(await cache.read(b.digest), undefined)
    assert.equal(cache.size(b.digest), undefined)
    assert.match(warnings.join('\n'), /could not be opened/)
  })

  it('deletes a blob, its file and its size, while a reader that opened it reads on', async () => {
    const cache = await BlobCache.open({ dir, maxBytes: 1000, logger })
    const [b, other] = [blob(14), blob(15)]
    await keep(cache, b)
    await keep(cache, other)
    const open = await cache.read(b.digest)
    assert.equal(await cache.delete(b.digest), true)
    assert.equal(existsSync(join(dir, 'sha256', b.digest.slice(7))), false)
    assert.equal(cache.size(b.digest), undefined)
    assert.equal(await cache.read(b.digest), undefined)
    assert.equal(cache.bytes, 100, 'only the other blob counts')
    assert.deepEqual(await buffer(open!.body), b.data)
    assert.equal(await cache.delete(b.digest), false, 'a second delete finds nothing')
    const reopened = await BlobCache.open({ dir, maxBytes: 1000, logger })
    assert.equal(reopened.size(b.digest), undefined, 'nothing of it comes back at a restart')
    assert.equal(reopened.size(other.digest), 100)
  })

  it('streams on when the disk refuses the copy', async () => {
    const cache = await BlobCache.open({ dir, maxBytes: 1000, logger })
    const b = blob(12)
    // The temporary directory replaced by a file: every new cache file fails to open.
    await rm(join(dir, 'tmp'), { recursive: true })
    await writeFile(join(dir, 'tmp'), '')
    assert.deepEqual(await keep(cache, b), b.data)
    assert.equal(cache.size(b.digest), undefined)
    assert.match(warnings.join('\n'), /could not write blob to the cache/)
    await rm(join(dir, 'tmp'))
    await mkdir(join(dir, 'tmp'))
  })
})
