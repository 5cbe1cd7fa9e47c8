/**
 * The flags every verb accepts, before or after the verb, as oc's and kubectl's persistent
 * flags (k8s.io/cli-runtime genericclioptions.ConfigFlags, and oc's `--loglevel`). A verb that
 * declares one of these names itself keeps its own (as a cobra local flag shadows a persistent
 * one): `login --token` and `adm prune images --certificate-authority`.
 */
import { Option, type Command } from 'commander'
import { acceptGoBooleans, parseGoInt } from './go-flags.js'

interface GlobalOption {
  readonly flags: string
  readonly description: string
  readonly repeatable?: boolean
  readonly defaultValue?: string
  /** Reads the value; throws with the reason pflag gives for a bad one. */
  readonly parse?: (value: string) => unknown
}

const GLOBAL_OPTIONS: readonly GlobalOption[] = [
  {
    flags: '-n, --namespace <namespace>',
    description: 'If present, the namespace scope for this CLI request',
  },
  {
    flags: '--kubeconfig <path>',
    description: 'Path to the kubeconfig file to use for CLI requests',
  },
  { flags: '--context <name>', description: 'The name of the kubeconfig context to use' },
  { flags: '-s, --server <server>', description: 'The address and port of the API server' },
  {
    flags: '--token <token>',
    description: 'Bearer token for authentication to the API server',
  },
  {
    flags: '--certificate-authority <path>',
    description: 'Path to a cert file for the certificate authority',
  },
  {
    flags: '--insecure-skip-tls-verify',
    description:
      "If true, the server's certificate will not be checked for validity. This will make your HTTPS connections insecure",
  },
  {
    flags: '--as <user>',
    description:
      'Username to impersonate for the operation. User could be a regular user or a service account in a namespace.',
  },
  {
    flags: '--as-group <group>',
    description:
      'Group to impersonate for the operation, this flag can be repeated to specify multiple groups.',
    repeatable: true,
  },
  {
    flags: '--request-timeout <duration>',
    description:
      'The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0 waits forever)',
    defaultValue: '0',
  },
  {
    flags: '-v, --v <level>',
    description: 'number for the log level verbosity',
    parse: parseGoInt,
  },
  {
    flags: '--loglevel <level>',
    description: 'Set the level of log output (0-10)',
    parse: parseGoInt,
  },
]

/** GLOBAL_VALUE_FLAGS are the spellings of the global flags that take the next argument as value. */
export const GLOBAL_VALUE_FLAGS: readonly string[] = GLOBAL_OPTIONS.filter((o) =>
  o.flags.includes('<'),
).flatMap((o) => o.flags.replace(/ <.*$/, '').split(', '))

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
        : spec.parse
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
      const parse = spec.parse ?? ((v: string) => v)
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
