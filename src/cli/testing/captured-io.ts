/** A CommandIO that keeps what a verb writes, on a clock the test sets. */
import type { CommandIO } from '../io.js'

/** CapturedIO is a CommandIO whose output the test reads back. */
export type CapturedIO = CommandIO & { out(): string; err(): string }

/** capturedIO collects stdout and stderr; `now` is the verb's clock. */
export function capturedIO(now: Date): CapturedIO {
  let out = ''
  let err = ''
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
    now: () => now,
    out: () => out,
    err: () => err,
  }
}
