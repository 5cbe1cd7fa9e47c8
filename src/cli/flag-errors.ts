/**
 * Command-line parse errors in the words oc and kubectl use: pflag's messages for flags, cobra's
 * for unknown commands, and kubectl's flag error function's pointer to the help
 * (k8s.io/kubectl pkg/util/templates/templater.go: `See '<command> --help' for usage.`).
 */
import type { Command } from 'commander'

function longName(flags: string): string {
  return /--[^\s,<[]+/.exec(flags)?.[0] ?? flags
}

/**
 * cobraErrorText rewrites commander's error `message` (with commander's error `code`) for the
 * command `path` (`isctl get`).
 */
export function cobraErrorText(message: string, code: string | undefined, path: string): string {
  const see = `See '${path} --help' for usage.`
  if (code === 'commander.unknownCommand') {
    const name = /unknown command '([^']*)'/.exec(message)?.[1] ?? ''
    const suggestion = /\(Did you mean ([^?]+)\?\)/.exec(message)?.[1]
    const hint = suggestion ? `\n\nDid you mean this?\n\t${suggestion}\n` : ''
    return `Error: unknown command "${name}" for "${path}"${hint}`
  }
  if (code === 'commander.unknownOption') {
    const flag = /unknown option '([^']*)'/.exec(message)?.[1] ?? ''
    const text = flag.startsWith('--')
      ? `unknown flag: ${flag}`
      : `unknown shorthand flag: '${flag.slice(1, 2)}' in ${flag}`
    return `Error: ${text}\n${see}`
  }
  if (code === 'commander.optionMissingArgument') {
    const flags = /option '([^']*)' argument missing/.exec(message)?.[1] ?? ''
    return `Error: flag needs an argument: ${longName(flags)}\n${see}`
  }
  return `Error: ${message.replace(/^error: /, '')}\n${see}`
}

/** commandPath is how help names `cmd`: `isctl adm prune images`, as cobra's CommandPath. */
export function commandPath(cmd: Command): string {
  const names: string[] = []
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name())
  return names.join(' ')
}

/**
 * reportLikeCobra makes `cmd` report its parse errors with cobraErrorText, naming the command
 * `about` returns: the program parses the global flags, but an error in one after a verb names
 * the verb, as cobra's persistent flags do.
 */
export function reportLikeCobra(cmd: Command, about: () => Command = () => cmd): void {
  const error = cmd.error.bind(cmd)
  cmd.error = (message, options) =>
    error(cobraErrorText(message, options?.code, commandPath(about())), options)
}
