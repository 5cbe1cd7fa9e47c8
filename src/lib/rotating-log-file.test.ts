import assert from 'node:assert/strict'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { RotatingLogFile } from './rotating-log-file.js'

describe('RotatingLogFile', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rotating-log-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  const line = (i: number) => `${JSON.stringify({ i, pad: 'x'.repeat(40 + (i % 7)) })}\n`
  const files = () => readdirSync(dir).sort()
  const allLines = () =>
    files().flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))

  it('appends whole lines to a file for this user only, after what was there', async () => {
    const path = join(dir, 'audit.log')
    writeFileSync(path, line(0))
    const log = await RotatingLogFile.open({ path, maxBytes: 1 << 20, maxBackups: 3 })
    log.write(line(1))
    log.write(line(2))
    await log.close()
    assert.equal(readFileSync(path, 'utf8'), line(0) + line(1) + line(2))
    const fresh = join(dir, 'new', 'audit.log')
    await (await RotatingLogFile.open({ path: fresh, maxBytes: 100, maxBackups: 1 })).close()
    assert.equal(statSync(fresh).mode & 0o777, 0o600)
  })

  it('rotates by size into lumberjack-named backups, never splitting a line, keeping maxBackups', async () => {
    const path = join(dir, 'audit.log')
    const log = await RotatingLogFile.open({ path, maxBytes: 300, maxBackups: 3 })
    for (let i = 0; i < 100; i++) log.write(line(i))
    await log.close()
    const names = files()
    assert.equal(names.length, 4, names.join(' '))
    assert.ok(names.includes('audit.log'))
    for (const name of names.filter((n) => n !== 'audit.log')) {
      assert.match(name, /^audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log$/)
    }
    for (const name of names) {
      const text = readFileSync(join(dir, name), 'utf8')
      assert.ok(Buffer.byteLength(text) <= 300, `${name} holds ${text.length} bytes`)
      assert.ok(text.endsWith('\n'))
      for (const l of text.split('\n').filter(Boolean)) JSON.parse(l)
    }
    // The newest lines survive, in order, with nothing between them lost.
    const kept = allLines().map((l) => (JSON.parse(l) as { i: number }).i)
    assert.equal(kept[kept.length - 1], 99)
    assert.deepEqual(
      kept,
      Array.from({ length: kept.length }, (_, k) => 100 - kept.length + k),
    )
  })

  it('keeps every backup with maxBackups 0, and a line larger than the limit alone in its file', async () => {
    const path = join(dir, 'audit.log')
    const log = await RotatingLogFile.open({ path, maxBytes: 100, maxBackups: 0 })
    const big = `${'y'.repeat(250)}\n`
    for (let i = 0; i < 20; i++) log.write(line(i))
    log.write(big)
    log.write(line(20))
    await log.close()
    assert.equal(allLines().length, 22)
    assert.ok(files().some((f) => readFileSync(join(dir, f), 'utf8') === big))
  })

  it('drops lines while the file cannot be written, reports it once, and recovers', async () => {
    const logs = join(dir, 'logs')
    const path = join(logs, 'audit.log')
    const errors: unknown[] = []
    const recovered: number[] = []
    const log = await RotatingLogFile.open({
      path,
      maxBytes: 200,
      maxBackups: 1,
      onError: (err) => errors.push(err),
      onRecovered: (dropped) => recovered.push(dropped),
    })
    // With its directory gone the file can be neither rotated nor opened again.
    rmSync(logs, { recursive: true })
    for (let i = 0; i < 20; i++) log.write(line(i))
    await log.settled()
    for (let i = 20; i < 40; i++) log.write(line(i))
    await log.settled()
    assert.equal(errors.length, 1)
    const lost = log.dropped
    assert.ok(lost > 0)
    mkdirSync(logs)
    log.write(line(100))
    await log.close()
    assert.deepEqual(recovered, [lost])
    assert.equal(readFileSync(path, 'utf8'), line(100))
  })

  it('drops lines beyond its queue instead of holding them without bound', async () => {
    const path = join(dir, 'audit.log')
    const log = await RotatingLogFile.open({
      path,
      maxBytes: 1 << 20,
      maxBackups: 1,
      maxQueuedBytes: 500,
    })
    for (let i = 0; i < 100; i++) log.write(line(i))
    await log.close()
    assert.ok(log.dropped > 0)
    assert.equal(allLines().length, 100 - log.dropped)
  })
})
