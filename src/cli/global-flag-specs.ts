/**
 * The global flags' declarations, apart from commander: the launcher reads which of them take a
 * value (to find the verb on the line) without loading commander for every run.
 */
/** GlobalOption is one global flag as declared to commander. */
export interface GlobalOption {
  readonly flags: string
  readonly description: string
  readonly repeatable?: boolean
  readonly defaultValue?: string
  /** The value is a Go int (pflag's IntVar); otherwise a string. */
  readonly int?: boolean
}

/** GLOBAL_OPTIONS are the global flags, in `isctl options` order. */
export const GLOBAL_OPTIONS: readonly GlobalOption[] = [
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
    int: true,
  },
  {
    flags: '--loglevel <level>',
    description: 'Set the level of log output (0-10)',
    int: true,
  },
]

/** GLOBAL_VALUE_FLAGS are the spellings of the global flags that take the next argument as value. */
export const GLOBAL_VALUE_FLAGS: readonly string[] = GLOBAL_OPTIONS.filter((o) =>
  o.flags.includes('<'),
).flatMap((o) => o.flags.replace(/ <.*$/, '').split(', '))
