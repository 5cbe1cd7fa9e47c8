/**
 * `isctl serve` shutdown end to end (docs/architecture.md#shutdown): SIGTERM ends the process
 * promptly even when a watch client has stopped reading, and when the pipe its log goes to has
 * been closed by the parent.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { connect, type TLSSocket } from 'node:tls'
import { after, before, describe, it } from 'node:test'
import {
  adminCredentials,
  httpRequest,
  makeAgent,
  makeTempDir,
  pollUntil,
  removeTempDir,
  startServe,
  stopServe,
  type ServeProcess,
} from '../harness/index.js'

/** How long a SIGTERM'd server may take to exit: far past the server's own grace periods. */
const EXIT_BOUND_MS = 30_000

/** The server's last resort for connections still open at shutdown (src/cmd/serve.ts). */
const SHUTDOWN_GRACE_MS = 10_000

/** shutdownMs is how long the server took from `shutting down` to `stopped`, by its own log. */
function shutdownMs(server: ServeProcess): number {
  const at = (msg: string) => Number(server.lines().find((l) => l.msg === msg)?.time)
  return at('stopped') - at('shutting down')
}

/** exitWithin resolves to the server's exit, or to 'still running' after `ms`. */
async function exitWithin(server: ServeProcess, ms: number) {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'still running'>((resolve) => {
    timer = setTimeout(() => resolve('still running'), ms)
  })
  try {
    return await Promise.race([server.exited, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** stalledWatch opens a watch of Secrets over raw TLS and stops reading once its headers came. */
async function stalledWatch(server: ServeProcess): Promise<TLSSocket> {
  const creds = adminCredentials(server.kubeconfig)
  const url = new URL(server.address)
  const socket = connect({ host: url.hostname, port: Number(url.port), ca: creds.caPem })
  let head = ''
  const headers = new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      head += b.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      socket.off('data', onData)
      socket.pause()
      resolve()
    }
    socket.on('data', onData)
    socket.once('error', reject)
  })
  socket.write(
    [
      'GET /api/v1/namespaces/default/secrets?watch=1 HTTP/1.1',
      `Host: ${url.host}`,
      `Authorization: Bearer ${creds.token}`,
      '',
      '',
    ].join('\r\n'),
  )
  await headers
  assert.match(head, /^HTTP\/1\.1 200 /)
  return socket
}

describe('isctl serve shutdown', () => {
  let dir: string
  before(() => {
    dir = makeTempDir('serve-shutdown')
  })
  after(() => removeTempDir(dir))

  // A stalled watch is still blocked writing at SIGTERM, or was already closed for not keeping
  // up (its buffer of 16 MiB filled) with what it wrote still queued on the connection.
  const stalledWatches = [
    { watch: 'blocked writing', secrets: 30, closedBefore: false },
    { watch: 'closed for not keeping up', secrets: 100, closedBefore: true },
  ]
  for (const { watch, secrets, closedBefore } of stalledWatches) {
    it(`exits 0 on SIGTERM while a watch whose client stopped reading is ${watch}`, async () => {
      const server = await startServe(join(dir, `watch-${String(secrets)}`))
      const creds = adminCredentials(server.kubeconfig)
      const agent = makeAgent(creds.caPem)
      const socket = await stalledWatch(server)
      try {
        // ~200 KiB Secrets: far more is queued for the watcher than the socket buffers hold.
        const value = Buffer.alloc(200 * 1024, 'x').toString('base64')
        for (let i = 0; i < secrets; i++) {
          const res = await httpRequest(`${server.address}/api/v1/namespaces/default/secrets`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${creds.token}`,
              'content-type': 'application/json',
            },
            body: JSON.stringify({
              apiVersion: 'v1',
              kind: 'Secret',
              metadata: { name: `big-${i}` },
              data: { blob: value },
            }),
            dispatcher: agent,
          })
          assert.equal(res.status, 201, res.body.toString('utf8'))
        }
        const slowClosed = () =>
          server.lines().some((l) => l.msg === 'closed a watch whose client does not keep up')
        if (closedBefore)
          await pollUntil('the stalled watch to be closed', () => Promise.resolve(slowClosed()))
        else assert.equal(slowClosed(), false)
        server.child.kill('SIGTERM')
        assert.deepEqual(await exitWithin(server, EXIT_BOUND_MS), { code: 0, signal: null })
        // The stalled watch was cut, not left for the server's last resort for stuck connections.
        assert.ok(shutdownMs(server) < SHUTDOWN_GRACE_MS, `shutdown took ${shutdownMs(server)} ms`)
      } finally {
        socket.destroy()
        await agent.close()
        await stopServe(server, 'SIGKILL')
      }
    })
  }

  // What the parent that reads the log does: dies (the pipe is closed) or hangs (it stays full).
  const logReaders = [
    { reader: 'closed', stopReading: (server: ServeProcess) => server.child.stdout!.destroy() },
    { reader: 'not read', stopReading: (server: ServeProcess) => server.child.stdout!.pause() },
  ]
  for (const { reader, stopReading } of logReaders) {
    it(`exits 0 on SIGTERM when the pipe its log goes to is ${reader}`, async () => {
      const server = await startServe(join(dir, `log-${reader.replace(' ', '-')}`))
      const creds = adminCredentials(server.kubeconfig)
      const agent = makeAgent(creds.caPem)
      try {
        stopReading(server)
        // Requests with long URLs, so their access log lines fill the pipe.
        const query = 'q'.repeat(4000)
        for (let i = 0; i < 200; i++) {
          const res = await httpRequest(`${server.address}/version?${query}`, {
            headers: { authorization: `Bearer ${creds.token}` },
            dispatcher: agent,
          })
          assert.equal(res.status, 200)
        }
        server.child.kill('SIGTERM')
        assert.deepEqual(await exitWithin(server, EXIT_BOUND_MS), { code: 0, signal: null })
      } finally {
        await agent.close()
        await stopServe(server, 'SIGKILL')
      }
    })
  }
})
