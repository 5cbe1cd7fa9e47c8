/**
 * The server's structured logger: pino JSON lines, with every place a credential could appear
 * redacted (Authorization and Cookie headers, passwords, docker `auth` fields, tokens), so a
 * handler that logs a request or a secret by mistake still leaks nothing
 * (docs/kubernetes-api.md#security-and-redaction).
 */
import { once } from 'node:events'
import { setTimeout as delay } from 'node:timers/promises'
import type { FastifyBaseLogger } from 'fastify'
import {
  pino,
  type Bindings,
  type ChildLoggerOptions,
  type DestinationStream,
  type Logger,
} from 'pino'

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

/**
 * LOG_BATCH_BYTES is how much log the server gathers before writing it out under load: about
 * eighty access lines a write, and below the destination's 16 KiB largest write, which it must be.
 */
export const LOG_BATCH_BYTES = 12 * 1024
/** LOG_FLUSH_MS bounds how long a line waits in a batch that is not full. */
export const LOG_FLUSH_MS = 100

/**
 * stdoutDestination is where the server logs: file descriptor 1, written without blocking, in
 * batches: one access line per request would otherwise cost one write (a thread-pool round
 * trip) per request under load. A line waits at most LOG_FLUSH_MS, or twice that when a write
 * was under way. The flush is our own: the destination's `periodicFlush` writes (an empty
 * string) every LOG_FLUSH_MS even when it holds nothing.
 */
export function stdoutDestination(): LogDestination {
  const dest = pino.destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES })
  // A flush while a write is under way does nothing, so a line's next two ticks both flush.
  let ticks = 0
  const write = dest.write.bind(dest)
  dest.write = (data: string): boolean => {
    ticks = 2
    return write(data)
  }
  const timer = setInterval(() => {
    // `destroyed` is sonic-boom's, left out of its types; flushing a destroyed destination throws.
    if (ticks === 0 || (dest as { destroyed?: boolean }).destroyed) return
    ticks--
    dest.flush()
  }, LOG_FLUSH_MS)
  timer.unref()
  dest.once('close', () => clearInterval(timer))
  return dest
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

type LogMethod = 'info' | 'error' | 'debug' | 'fatal' | 'warn' | 'trace' | 'silent'

/**
 * LazyChildLogger is a request's logger (fastify makes one per request, bound to its id), made
 * on its first use: most requests log nothing through it, and making a pino child costs more
 * than the rest of a small GET's logging. What it logs is what the child would have logged.
 * Its own children are lazy too. Methods live on the prototype: a request's logger costs one
 * small object, not a closure per level.
 */
class LazyChildLogger implements FastifyBaseLogger {
  readonly #parent: FastifyBaseLogger
  readonly #bindings: Bindings
  readonly #options: ChildLoggerOptions | undefined
  #made: FastifyBaseLogger | undefined

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options?: ChildLoggerOptions) {
    this.#parent = parent
    this.#bindings = bindings
    this.#options = options
  }

  /** over wraps an existing logger: it logs through `logger` itself, its children are lazy. */
  static over(logger: FastifyBaseLogger): LazyChildLogger {
    const lazy = new LazyChildLogger(logger, {})
    lazy.#made = logger
    return lazy
  }

  get #logger(): FastifyBaseLogger {
    if (this.#made) return this.#made
    const parent = this.#parent instanceof LazyChildLogger ? this.#parent.#logger : this.#parent
    return (this.#made = parent.child(this.#bindings, this.#options))
  }

  get level(): string {
    return this.#logger.level
  }

  set level(level: string) {
    this.#logger.level = level
  }

  #call(method: LogMethod, args: unknown[]): void {
    const logger = this.#logger
    Reflect.apply(logger[method], logger, args)
  }

  info(...args: unknown[]): void {
    this.#call('info', args)
  }
  error(...args: unknown[]): void {
    this.#call('error', args)
  }
  debug(...args: unknown[]): void {
    this.#call('debug', args)
  }
  fatal(...args: unknown[]): void {
    this.#call('fatal', args)
  }
  warn(...args: unknown[]): void {
    this.#call('warn', args)
  }
  trace(...args: unknown[]): void {
    this.#call('trace', args)
  }
  silent(...args: unknown[]): void {
    this.#call('silent', args)
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return new LazyChildLogger(this, bindings, options)
  }
}

/**
 * lazyChildren is fastify's `loggerInstance` for request loggers made on first use: `logger`
 * itself, with children (fastify's, and theirs) made when they first log. Through fastify's
 * default child factory, unlike a `childLoggerFactory`, which fastify checks on every request.
 */
export function lazyChildren(logger: FastifyBaseLogger): FastifyBaseLogger {
  return LazyChildLogger.over(logger)
}
