/** Process, port and temp-dir helpers shared by the harness pieces. */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Result of a finished command: exit code and captured output. */
export interface CommandResult {
  code: number
  stdout: string
  stderr: string
}

/** Error thrown by `runCommand` when a command exits non-zero; carries the output. */
export class CommandError extends Error {
  readonly result: CommandResult
  constructor(message: string, result: CommandResult) {
    super(message)
    this.name = 'CommandError'
    this.result = result
  }
}

/** Runs a command to completion (no shell) and rejects with its stderr on a non-zero exit. */
export function runCommand(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; uid?: number; gid?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      ...(opts.uid !== undefined && { uid: opts.uid }),
      ...(opts.gid !== undefined && { gid: opts.gid }),
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout!.on('data', (b: Buffer) => out.push(b))
    child.stderr!.on('data', (b: Buffer) => err.push(b))
    child.on('error', reject)
    child.on('close', (code) => {
      const result = {
        code: code ?? -1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }
      if (result.code === 0) resolve(result)
      else
        reject(
          new CommandError(
            `${cmd} ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`,
            result,
          ),
        )
    })
    if (opts.input !== undefined && child.stdin) {
      // A command that exits without reading its input must not crash the harness with EPIPE.
      child.stdin.on('error', () => undefined)
      child.stdin.end(opts.input)
    }
  })
}

/** Asks the kernel for a free TCP port on 127.0.0.1 (bind port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      if (addr === null || typeof addr === 'string') {
        srv.close()
        reject(new Error('could not read the bound port'))
        return
      }
      srv.close(() => resolve(addr.port))
    })
  })
}

/** Creates a fresh temp directory under os.tmpdir() with a recognisable prefix. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `imagestreams-${prefix}-`))
  liveDirs.add(dir)
  return dir
}

/** Removes a temp directory made by `makeTempDir`. */
export async function removeTempDir(dir: string): Promise<void> {
  liveDirs.delete(dir)
  await rm(dir, { recursive: true, force: true })
}

// A crashed or interrupted test run must not leave registries listening or temp dirs behind,
// so everything the harness starts is also tracked here and reaped synchronously on exit.
const liveChildren = new Set<ChildProcess>()
const liveDirs = new Set<string>()
let exitHookInstalled = false

function reap(): void {
  for (const child of liveChildren) child.kill('SIGKILL')
  for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true })
  liveChildren.clear()
  liveDirs.clear()
}

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', reap)
  // 'exit' does not run when a signal kills the process (Ctrl-C, the test runner's timeout);
  // reap, then re-raise so the default action (termination with that signal) still happens.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      reap()
      process.kill(process.pid, sig)
    })
  }
}
installExitHook()

/** Registers a long-running child so it is killed if the test process exits without stop(). */
export function trackChild(child: ChildProcess): void {
  liveChildren.add(child)
  child.once('exit', () => liveChildren.delete(child))
}

/** Kills a child (SIGTERM, then SIGKILL after `graceMs`) and resolves once it has exited. */
export async function killChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  try {
    await exited
  } finally {
    clearTimeout(timer)
    liveChildren.delete(child)
  }
}

/** Polls `probe` until it returns true, failing after `timeoutMs` or when `abort` returns an error. */
export async function pollUntil(
  what: string,
  probe: () => Promise<boolean>,
  opts: { timeoutMs?: number; intervalMs?: number; abort?: () => Error | undefined } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000)
  const interval = opts.intervalMs ?? 25
  let lastError: unknown
  for (;;) {
    const aborted = opts.abort?.()
    if (aborted) throw aborted
    try {
      if (await probe()) return
    } catch (e) {
      lastError = e
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? `: ${lastError.message}` : ''
      throw new Error(`timed out waiting for ${what}${detail}`)
    }
    // A short poll interval, not a timing assumption: readiness is decided by the probe.
    await new Promise((r) => setTimeout(r, interval))
  }
}
