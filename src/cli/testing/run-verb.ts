/**
 * Runs one verb in-process the way isctl does (the global `-n` and `--kubeconfig`, then the
 * verb's own flags), with a CommandIO whose clock and stdin the test chooses: for tests that
 * need time to have passed (ages, pull windows) without waiting for it.
 */
import { Command } from 'commander'
import type { CommandIO } from '../io.js'
import type { ConfigureVerb } from '../verb.js'

/** VerbRun is what a verb printed and the exit code it set. */
export interface VerbRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** runVerb runs `configure`'s verb with `args` against the server of `kubeconfig`. */
export async function runVerb(
  configure: ConfigureVerb,
  args: readonly string[],
  opts: {
    readonly kubeconfig: string
    readonly now: Date
    readonly stdin?: string
    /** A terminal to ask questions on (CommandIO.prompt); none by default, as for a pipe. */
    readonly prompt?: CommandIO['prompt']
  },
): Promise<VerbRun> {
  const out: string[] = []
  const err: string[] = []
  let code = 0
  const io: CommandIO = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    env: {},
    now: () => opts.now,
    ...(opts.stdin !== undefined && { readStdin: () => Promise.resolve(opts.stdin!) }),
    ...(opts.prompt !== undefined && { prompt: opts.prompt }),
  }
  const program = new Command('isctl')
    .option('-n, --namespace <namespace>')
    .option('--kubeconfig <path>')
  configure(program.command('verb'), { io, setExitCode: (c) => (code = c) })
  await program.parseAsync(['verb', '--kubeconfig', opts.kubeconfig, ...args], { from: 'user' })
  return { code, stdout: out.join(''), stderr: err.join('') }
}
