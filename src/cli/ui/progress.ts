/**
 * Progress for long operations (repository imports): one self-rewriting status line on a
 * terminal, nothing at all when the output goes to a file or a pipe, so scripts see only results.
 */
import type { CommandIO, TextSink } from '../io.js'

/** Progress is a running indicator; `done` removes it before the command prints its result. */
export interface Progress {
  /** update replaces the message, redrawn at once unless the line was drawn very recently. */
  update(message: string): void
  /** clear blanks the line until the next redraw, so that a result line can be printed. */
  clear(): void
  done(): void
}

/** ProgressOptions say where the line goes and whether anyone is watching. */
export interface ProgressOptions {
  /** Whether to draw at all (see `isInteractive`). */
  readonly interactive: boolean
  /** Milliseconds since some origin; the line shows the seconds elapsed. */
  readonly clock?: () => number
  readonly intervalMs?: number
}

const CLEAR_LINE = '\r\x1b[2K'
const UPDATE_INTERVAL_MS = 100

function isTerminal(sink: TextSink): boolean {
  return (sink as { isTTY?: unknown }).isTTY === true
}

/**
 * isInteractive is true when both output streams are terminals (a redirected stdout means a
 * script is reading, and progress on stderr would only clutter its log) and TERM is not dumb.
 */
export function isInteractive(io: CommandIO): boolean {
  return isTerminal(io.stdout) && isTerminal(io.stderr) && io.env.TERM !== 'dumb'
}

/** startProgress shows `message` with the elapsed seconds on `sink` until `done` is called. */
export function startProgress(sink: TextSink, message: string, opts: ProgressOptions): Progress {
  if (!opts.interactive)
    return { update: () => undefined, clear: () => undefined, done: () => undefined }
  const clock = opts.clock ?? (() => performance.now())
  const started = clock()
  let text = message
  let drawn = started
  const draw = () => {
    drawn = clock()
    sink.write(`${CLEAR_LINE}${text} (${Math.floor((drawn - started) / 1000)}s)`)
  }
  draw()
  const timer = setInterval(draw, opts.intervalMs ?? 1000)
  // A forgotten `done` must not keep the process alive.
  timer.unref()
  let finished = false
  return {
    update(next) {
      text = next
      // Counters may move thousands of times a second; a terminal needs a few frames.
      if (!finished && clock() - drawn >= UPDATE_INTERVAL_MS) draw()
    },
    clear() {
      if (!finished) sink.write(CLEAR_LINE)
    },
    done() {
      if (finished) return
      finished = true
      clearInterval(timer)
      sink.write(CLEAR_LINE)
    },
  }
}
