/**
 * The flags every verb accepts, before or after the verb, as oc's and kubectl's persistent
 * flags (k8s.io/cli-runtime genericclioptions.ConfigFlags, and oc's `--loglevel`). A verb that
 * declares one of these names itself keeps its own (as a cobra local flag shadows a persistent
 * one): `login --token` and `adm prune images --certificate-authority`.
 */
import { Option, type Command } from 'commander'
import { acceptGoBooleans, parseGoInt } from './go-flags.js'
import { GLOBAL_OPTIONS } from './global-flag-specs.js'

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

/** GLOBAL_OPTIONS_TIP ends every help text, as kubectl's templates end theirs. */
export const GLOBAL_OPTIONS_TIP =
  'Use "isctl options" for a list of global command-line options (applies to all commands).'

/** globalOptionsText is what `isctl options` prints, laid out as `kubectl options`. */
export function globalOptionsText(): string {
  const entries = GLOBAL_OPTIONS.map((spec) => {
    const names = spec.flags.replace(/ <.*$/, '')
    const value = !spec.flags.includes('<')
      ? 'false'
      : spec.repeatable
        ? '[]'
        : spec.int
          ? '0'
          : `'${spec.defaultValue ?? ''}'`
    return `    ${names}=${value}:\n\t${spec.description}\n`
  })
  return `The following options can be passed to any command:\n\n${entries.join('\n')}`
}

/**
 * addGlobalOptions declares the global flags on the program, except those the verb being run
 * (`verb`) declares itself. The program's options are parsed wherever they stand on the line;
 * their help is `isctl options`, as oc's and kubectl's is.
 */
export function addGlobalOptions(program: Command, verb: Command | undefined): void {
  const booleans: string[] = []
  for (const spec of GLOBAL_OPTIONS) {
    const option = new Option(spec.flags, spec.description)
    if (verb?.options.some((o) => o.long === option.long)) continue
    if (option.isBoolean()) booleans.push(option.name())
    else if (spec.repeatable) option.argParser(collect)
    else {
      const parse = spec.int ? parseGoInt : (v: string) => v
      const name = spec.flags.replace(/ <.*$/, '')
      option.argParser((value: string) => {
        // pflag reads `-v=6` as the value 6; commander hands over `=6`.
        const raw = value.replace(/^=/, '')
        try {
          return parse(raw)
        } catch (err) {
          return (verb ?? program).error(
            `error: invalid argument ${JSON.stringify(raw)} for "${name}" flag: ${(err as Error).message}`,
          )
        }
      })
    }
    if (spec.defaultValue !== undefined) option.default(spec.defaultValue)
    program.addOption(option.hideHelp())
  }
  acceptGoBooleans(program, booleans)
}
