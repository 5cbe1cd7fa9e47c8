/** The private PostgreSQL cluster: it restarts in every shutdown mode and keeps its data. */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.js'

describe('startPostgresCluster', () => {
  let cluster: PostgresCluster | undefined
  after(() => cluster?.destroy())

  it('keeps committed rows across fast and immediate restarts, on the same port', async () => {
    cluster = await startPostgresCluster()
    const c = cluster
    await c.query('CREATE TABLE kept (n int)')
    await c.query('INSERT INTO kept VALUES (1)')
    const first = c.pid
    await c.restart('fast')
    await c.query('INSERT INTO kept VALUES (2)')
    await c.restart('immediate')
    assert.notEqual(c.pid, first)
    const { rows } = await c.query('SELECT n FROM kept ORDER BY n')
    assert.deepEqual(
      rows.map((r: { n: number }) => r.n),
      [1, 2],
    )
    assert.match(c.url('kept'), new RegExp(`^postgres://postgres@127\\.0\\.0\\.1:${c.port}/kept$`))
  })

  it('refuses connections while stopped and is gone after destroy', async () => {
    const c = cluster!
    await c.stop('fast')
    await assert.rejects(c.query('SELECT 1'))
    await c.start()
    await c.query('SELECT 1')
    await c.destroy()
    cluster = undefined
    await assert.rejects(c.query('SELECT 1'))
  })
})
