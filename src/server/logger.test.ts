import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { Writable } from 'node:stream'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { fastify, type FastifyBaseLogger } from 'fastify'
import { createLogger, lazyChildren } from './logger.js'

// Runs in a process of its own: the destination writes to file descriptor 1.
const CHILD = `
import { createLogger, stdoutDestination } from ${JSON.stringify(new URL('./logger.ts', import.meta.url).href)}
const log = stdoutDestination()
const logger = createLogger({ destination: log })
logger.info({ n: 1 }, 'alone in its batch')
// Stays alive, writing nothing more, until the parent has the line; gives up after 20 s
// without the exit handler's flush (SIGKILL), so a line stuck in its batch fails the test.
process.stdin.once('data', () => process.exit(0))
setTimeout(() => process.kill(process.pid, 'SIGKILL'), 20_000)
`

describe('stdoutDestination', () => {
  it('writes out a lone line without waiting for its batch to fill or the process to exit', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    let out = ''
    const line = await new Promise<Record<string, unknown>>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString('utf8')
        const end = out.indexOf('\n')
        if (end >= 0) resolve(JSON.parse(out.slice(0, end)) as Record<string, unknown>)
      })
      child.once('exit', (code, signal) =>
        reject(new Error(`exited (${code ?? signal}) before writing a line: ${out}`)),
      )
    })
    child.stdin.end('done\n')
    assert.equal(line.msg, 'alone in its batch')
    assert.equal(line.n, 1)
  })
})

describe('lazyChildren', () => {
  it('logs a request line as the child logger would: bound to the request id, redacted', async () => {
    const lines: Record<string, unknown>[] = []
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>)
        callback()
      },
    })
    const base: FastifyBaseLogger = createLogger({ destination })
    // Counts the pino children made: a request that logs nothing makes none. Called on its own
    // `this`: pino's children inherit this method and must still make children of themselves.
    let children = 0
    const child = Reflect.get<FastifyBaseLogger, 'child'>(base, 'child')
    base.child = function (this: FastifyBaseLogger, ...args: Parameters<typeof child>) {
      children++
      return Reflect.apply(child, this, args)
    }
    const app = fastify({
      loggerInstance: lazyChildren(base),
      disableRequestLogging: true,
    })
    app.get('/log', (request) => {
      request.log.info({ headers: { authorization: 'Bearer secret' }, n: 1 }, 'hello %s', 'there')
      request.log.debug('below the level')
      request.log.child({ part: 'inner' }).warn('from a grandchild')
      return { level: request.log.level }
    })
    app.get('/quiet', () => ({}))
    try {
      const res = await app.inject({ method: 'GET', url: '/log' })
      assert.deepEqual(res.json(), { level: 'info' })
      const before = children
      await app.inject({ method: 'GET', url: '/quiet' })
      assert.equal(children, before)
      assert.equal(lines.length, 2)
      const [hello, inner] = lines
      assert.equal(hello?.msg, 'hello there')
      assert.match(String(hello?.reqId), /^req-/)
      assert.deepEqual(hello?.headers, { authorization: '[Redacted]' })
      assert.equal(hello?.n, 1)
      assert.equal(inner?.msg, 'from a grandchild')
      assert.equal(inner?.reqId, hello?.reqId)
      assert.equal(inner?.part, 'inner')
    } finally {
      await app.close()
    }
  })
})
