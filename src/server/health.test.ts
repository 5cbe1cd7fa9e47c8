import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { StoreUnavailableError } from '../storage/index.js'
import { openSqliteStore } from '../storage/sqlite/index.js'
import { storePingCheck } from './health.js'

describe('storePingCheck', () => {
  it('starts ready, fails once the store stops answering, and says so once', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'imagestreams-health-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const store = await openSqliteStore({ path: join(dir, 'db.sqlite') })
    const changes: (string | undefined)[] = []
    const ping = storePingCheck(store, { intervalMs: 60_000, onChange: (p) => changes.push(p) })
    t.after(() => ping.stop())
    assert.equal(ping.check.name, 'store')
    assert.equal(ping.check.check(), undefined)
    await ping.refresh()
    assert.equal(ping.check.check(), undefined)
    await store.close()
    await ping.refresh()
    await ping.refresh()
    assert.match(ping.check.check() ?? '', /^the store does not answer: the store is closed$/)
    assert.equal(changes.length, 1, 'one change, however many failed pings')
  })

  it('is ready again as soon as a ping succeeds', async (t) => {
    // The database server's outage, which the embedded store cannot have: ping fails, then answers.
    let down = true
    const store = {
      ping: () =>
        down
          ? Promise.reject(new StoreUnavailableError({ cause: new Error('ECONNREFUSED') }))
          : Promise.resolve(),
    }
    const changes: (string | undefined)[] = []
    const ping = storePingCheck(store, { intervalMs: 60_000, onChange: (p) => changes.push(p) })
    t.after(() => ping.stop())
    await ping.refresh()
    assert.match(ping.check.check() ?? '', /unavailable: ECONNREFUSED/)
    down = false
    await ping.refresh()
    assert.equal(ping.check.check(), undefined)
    assert.equal(changes.length, 2)
    assert.equal(changes[1], undefined)
  })

  it('runs one ping at a time: a probe burst shares the ping in flight', async (t) => {
    let pings = 0
    let answer!: () => void
    const store = {
      ping: () => {
        pings++
        return new Promise<void>((resolve) => (answer = resolve))
      },
    }
    const ping = storePingCheck(store, { intervalMs: 60_000 })
    t.after(() => ping.stop())
    const first = ping.refresh()
    const second = ping.refresh()
    answer()
    await Promise.all([first, second])
    assert.equal(pings, 1)
  })
})
