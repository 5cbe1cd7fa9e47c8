/** The process surface a command runs against, injected so tests can run verbs in-process. */

/** TextSink is where a command writes text: process.stdout, process.stderr, or a test buffer. */
export interface TextSink {
  write(chunk: string): unknown
}

/** CommandIO is everything a verb may touch outside its arguments. */
export interface CommandIO {
  readonly stdout: TextSink
  readonly stderr: TextSink
  readonly env: Readonly<Record<string, string | undefined>>
  /** The clock ages are measured against. */
  readonly now: () => Date
  /** Reads all of standard input, for `-` file operands; absent when there is none to read. */
  readonly readStdin?: (() => Promise<string>) | undefined
  /**
   * Asks a question on the terminal and reads one line (without echo for passwords); absent
   * when standard input is not a terminal, so that a verb never waits on a pipe.
   */
  readonly prompt?:
    ((question: string, opts: { readonly echo: boolean }) => Promise<string>) | undefined
  /** Cancels network work (tests, Ctrl-C handlers). */
  readonly signal?: AbortSignal | undefined
}
