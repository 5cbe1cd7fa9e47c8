/** `isctl options`: the flags every verb accepts, as `oc options` and `kubectl options` list them. */
import type { Command } from 'commander'
import { globalOptionsText } from '../global-flags.js'
import { localAction, type ConfigureVerb } from '../verb.js'

const EXAMPLES = `
Examples:
  # Print flags inherited by all commands
  isctl options
`

/** configureOptions declares `options`. */
export const configureOptions: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description('Print the list of flags inherited by all commands')
    .addHelpText('after', EXAMPLES)
  localAction(cmd, ctx, (_operands, _flags, io) => {
    io.stdout.write(globalOptionsText())
    return Promise.resolve(0)
  })
}
