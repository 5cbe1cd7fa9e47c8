/**
 * The server's structured logger: pino JSON lines, with every place a credential could appear
 * redacted (Authorization and Cookie headers, passwords, docker `auth` fields, tokens), so a
 * handler that logs a request or a secret by mistake still leaks nothing
 * (docs/kubernetes-api.md#security-and-redaction).
 */
import { once } from 'node:events'
import { setTimeout as delay } from 'node:timers/promises'
import { pino, type DestinationStream, type Logger } from 'pino'

/** REDACT_PATHS are the log fields replaced by `[Redacted]`. */
export const REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'headers.authorization',
  '*.password',
  '*.auth',
  '*.token',
  '*.identitytoken',
  '*.registrytoken',
]

/** LoggerOptions configure createLogger. */
export interface LoggerOptions {
  /** The minimum level; default `info`. */
  readonly level?: string
  /** Where lines go; default stdout. */
  readonly destination?: DestinationStream
}

/** createLogger makes the server logger. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const options = { level: opts.level ?? 'info', redact: [...REDACT_PATHS] }
  return opts.destination ? pino(options, opts.destination) : pino(options)
}

/** LogDestination is the server's stdout, written asynchronously (pino's default destination). */
export type LogDestination = ReturnType<typeof pino.destination>

/** LOG_BATCH_BYTES is how much log the server gathers before writing it out under load. */
export const LOG_BATCH_BYTES = 4096
/** LOG_FLUSH_MS bounds how long a line waits in a batch that is not full. */
export const LOG_FLUSH_MS = 100

/**
 * stdoutDestination is where the server logs: file descriptor 1, written without blocking, in
 * batches: one access line per request would otherwise cost one write (a thread-pool round
 * trip) per request under load. A line waits at most LOG_FLUSH_MS.
 */
export function stdoutDestination(): LogDestination {
  return pino.destination({
    dest: 1,
    sync: false,
    minLength: LOG_BATCH_BYTES,
    periodicFlush: LOG_FLUSH_MS,
  })
}

/**
 * closeLog writes out what `dest` still holds and closes it, giving up after `graceMs`: when
 * whoever reads the log stopped reading (a full pipe) or went away (EPIPE), the rest is dropped.
 * Left open, the destination's exit handler retries those writes synchronously and forever, and
 * the exiting process hangs with its signal handlers unable to run. Log nothing after this.
 */
export async function closeLog(dest: LogDestination, graceMs: number): Promise<void> {
  const grace = new AbortController()
  const closed = once(dest, 'close', { signal: grace.signal }).then(
    () => true,
    () => false,
  )
  dest.end()
  const done = await Promise.race([closed, delay(graceMs, false, { signal: grace.signal })]).catch(
    () => false,
  )
  grace.abort()
  if (!done) dest.destroy()
}
