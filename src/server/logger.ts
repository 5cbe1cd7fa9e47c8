/**
 * The server's structured logger: pino JSON lines, with every place a credential could appear
 * redacted (Authorization and Cookie headers, passwords, docker `auth` fields, tokens), so a
 * handler that logs a request or a secret by mistake still leaks nothing
 * (docs/kubernetes-api.md#security-and-redaction).
 */
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
