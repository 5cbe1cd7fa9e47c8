/**
 * What `isctl adm prune images` shows while and after it runs, in oc's order: nothing until the
 * workload graph is built (so a graph error is all that is printed), then the dry-run and
 * API-only notices, one line per action as the pruner carries it out, the failures, and the
 * summary; with `-o json`, the plan alone on stdout. A progress line is drawn on a terminal.
 */
import type { PruneResult } from '../../pruner/run.js'
import type { PruneEvent } from '../../pruner/types.js'
import type { CommandIO } from '../io.js'
import {
  API_ONLY_NOTICE,
  DRY_RUN_NOTICE,
  eventLine,
  failureLine,
  failuresText,
  formatPlan,
  graphFailedText,
  keptInUseLine,
  summaryLine,
} from '../printers/prune.js'
import { startProgress, type Progress } from './progress.js'

/** PLANNING is the progress line's text until the pruner reports its first phase. */
const PLANNING = 'listing image streams and images, planning'

/** PruneReportOptions say how the run is shown. */
export interface PruneReportOptions {
  readonly output: 'text' | 'json'
  readonly confirm: boolean
  readonly pruneRegistry: boolean
  /** Whether to draw a progress line (see isInteractive). */
  readonly interactive: boolean
  /** For tests: the progress clock in milliseconds. */
  readonly clock?: () => number
}

/** PruneReport prints one run; its `onEvent` and `onProgress` go to the pruner. */
export class PruneReport {
  readonly #io: CommandIO
  readonly #opts: PruneReportOptions
  #progress: Progress | undefined
  #started = false

  constructor(io: CommandIO, opts: PruneReportOptions) {
    this.#io = io
    this.#opts = opts
  }

  /** onEvent prints the action's line (text output only). */
  readonly onEvent = (event: PruneEvent): void => {
    this.#start()
    if (this.#opts.output !== 'text') return
    this.#progress?.clear()
    this.#io.stdout.write(`${eventLine(event)}\n`)
  }

  /** begin draws the progress line while the pruner lists and plans, before it reports phases. */
  begin(): void {
    this.#show(PLANNING)
  }

  /** onProgress redraws the progress line: `<phase> <done>/<total>`. */
  readonly onProgress = (p: { phase: string; done: number; total: number }): void => {
    this.#show(`${p.phase} ${p.done}/${p.total}`)
  }

  #show(message: string): void {
    if (this.#progress === undefined) {
      this.#progress = startProgress(this.#io.stderr, message, {
        interactive: this.#opts.interactive,
        ...(this.#opts.clock && { clock: this.#opts.clock }),
      })
    } else {
      this.#progress.update(message)
    }
  }

  /** finished prints the outcome and returns the exit code: 1 when any action failed. */
  finished(result: PruneResult): number {
    this.#stopProgress()
    this.#start()
    const { stdout, stderr } = this.#io
    for (const name of result.keptInUse) stderr.write(`${keptInUseLine(name)}\n`)
    for (const f of result.failures) stderr.write(`${failureLine(f)}\n`)
    stdout.write(
      this.#opts.output === 'json' ? formatPlan(result.plan) : `${summaryLine(result.summary)}\n`,
    )
    if (result.failures.length === 0) return 0
    stderr.write(failuresText(result.failures))
    return 1
  }

  /**
   * graphFailed prints oc's invalid-references error; nothing was changed. `listing` is the
   * pruner's InvalidReferencesError message.
   */
  graphFailed(listing: string): number {
    this.#stopProgress()
    this.#io.stderr.write(graphFailedText(listing))
    return 1
  }

  /** stopped removes the progress line before an error is printed. */
  stopped(): void {
    this.#stopProgress()
  }

  #stopProgress(): void {
    this.#progress?.done()
    this.#progress = undefined
  }

  /** #start prints the notices oc prints once the graph is built, before the first action. */
  #start(): void {
    if (this.#started) return
    this.#started = true
    this.#progress?.clear()
    if (!this.#opts.confirm) this.#io.stderr.write(`${DRY_RUN_NOTICE}\n`)
    if (!this.#opts.pruneRegistry) {
      // oc prints it on stdout; with -o json stdout holds the plan alone.
      const sink = this.#opts.output === 'json' ? this.#io.stderr : this.#io.stdout
      sink.write(`${API_ONLY_NOTICE}\n`)
    }
  }
}
