import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

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
