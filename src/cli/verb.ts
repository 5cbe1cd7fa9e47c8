/**
 * How a verb plugs into the `isctl` command tree. The entry point declares every verb by name
 * and loads the module of the one being run only, so each verb's flags, client and printers
 * cost nothing to the others.
 */
import type { Command } from 'commander'
import type { CommandIO } from './io.js'
import type { GlobalFlags, Session } from './client/session.js'
import { UsageError } from './errors.js'
import { commandPath } from './flag-errors.js'
import { errorReport } from './report-error.js'

/** VerbContext is what the entry point hands a verb: the process surface and the exit code. */
export interface VerbContext {
  readonly io: CommandIO
  setExitCode(code: number): void
}

/** ConfigureVerb adds a verb's flags, help and action to its (already named) command. */
export type ConfigureVerb = (cmd: Command, ctx: VerbContext) => void

/** SessionRun is a verb's work against the server; resolves to the exit code. */
export type SessionRun<F> = (operands: string[], flags: F, session: Session) => Promise<number>

/** LocalRun is a verb's work without a session (login, version): it gets the global flags too. */
export type LocalRun<F> = (
  operands: string[],
  flags: F & GlobalFlags,
  io: CommandIO,
) => Promise<number>

async function reported(
  ctx: VerbContext,
  cmd: Command,
  work: () => Promise<number>,
): Promise<void> {
  try {
    ctx.setExitCode(await work())
  } catch (err) {
    // kubectl's UsageErrorf wording.
    const hint =
      err instanceof UsageError && err.seeHelp
        ? `\nSee '${commandPath(cmd)} -h' for help and examples`
        : ''
    ctx.io.stderr.write(errorReport(err, hint))
    ctx.setExitCode(1)
  }
}

/** localAction runs `run` with the command's operands and flags; failures print as oc prints them. */
export function localAction<F>(cmd: Command, ctx: VerbContext, run: LocalRun<F>): Command {
  return cmd.action(async (...args: unknown[]) => {
    const self = args.at(-1) as Command
    await reported(ctx, self, () => run(self.args, self.optsWithGlobals<F & GlobalFlags>(), ctx.io))
  })
}

/**
 * sessionAction opens a session from the global flags, runs `run`, and closes the connection.
 * `check`, when given, validates operands and flags first, so that a mistake in them is
 * reported without a configured server.
 */
export function sessionAction<F>(
  cmd: Command,
  ctx: VerbContext,
  run: SessionRun<F>,
  check?: (operands: string[], flags: F) => void,
): Command {
  return cmd.action(async (...args: unknown[]) => {
    const self = args.at(-1) as Command
    const flags = self.optsWithGlobals<F & GlobalFlags>()
    await reported(ctx, self, async () => {
      check?.(self.args, flags)
      const { openSession } = await import('./client/session.js')
      const session = await openSession(flags, ctx.io)
      try {
        return await run(self.args, flags, session)
      } finally {
        await session.client.close()
      }
    })
  })
}
