/**
 * `isctl create secret generic` and `isctl create secret docker-registry`, as kubectl 1.32 (and
 * so oc) builds, validates, sends and prints them: the same keys from the same sources, the same
 * `.dockerconfigjson` bytes, the same messages, and the object printed as kubectl prints a typed
 * object (`-o json` in Go field order, `-o yaml` with go-yaml's key order).
 */
import type { Dirent } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import type { Command } from 'commander'
import type { Secret } from '../../api/core.js'
import { DOCKER_CONFIG_JSON_KEY, SECRET_TYPES } from '../../api/constants.js'
import { checkConfigMapKey, checkEnvVarName } from '../../api/names.js'
import { RESOURCE_META } from '../../api/resource-meta.js'
import { ApiError } from '../client/api-errors.js'
import type { GlobalFlags, Session } from '../client/session.js'
import { CliError, UsageError } from '../errors.js'
import type { CommandIO } from '../io.js'
import { splitSlice } from '../go-flags.js'
import { byteOrder, goJsonString } from '../printers/go-encoding.js'
import {
  OUTPUT_FORMATS,
  parseDryRun,
  parseOutput,
  renderObject,
  type DryRun,
  type OutputFormat,
} from '../printers/typed-objects.js'
import { localAction, type ConfigureVerb } from '../verb.js'

/** DEFAULT_DOCKER_SERVER is kubectl's `--docker-server` default: Docker Hub's v1 index URL. */
export const DEFAULT_DOCKER_SERVER = 'https://index.docker.io/v1/'

interface CreateFlags {
  readonly output?: string | undefined
  /** `true` when given bare (kubectl's deprecated spelling of `client`). */
  readonly dryRun?: string | true | undefined
  readonly appendHash?: boolean | undefined
}

/** GenericSecretFlags are `create secret generic`'s flags. */
export interface GenericSecretFlags extends CreateFlags {
  readonly fromFile?: readonly string[] | undefined
  readonly fromLiteral?: readonly string[] | undefined
  readonly fromEnvFile?: readonly string[] | undefined
  readonly type?: string | undefined
}

/** DockerRegistryFlags are `create secret docker-registry`'s flags. */
export interface DockerRegistryFlags extends CreateFlags {
  readonly dockerServer?: string | undefined
  readonly dockerUsername?: string | undefined
  readonly dockerPassword?: string | undefined
  readonly dockerEmail?: string | undefined
  readonly fromFile?: readonly string[] | undefined
}

/** Connect opens the session a create needs (injected by tests). */
export type Connect = (flags: GlobalFlags, io: CommandIO) => Promise<Session>

// ---------------------------------------------------------------------------------------------
// Flag parsing and validation (kubectl's Complete and Validate)

/** nameFromArgs returns the one NAME operand, else kubectl's usage error for the command. */
export function nameFromArgs(operands: readonly string[], command: string): string {
  if (operands.length !== 1) {
    throw new UsageError(
      `exactly one NAME is required, got ${operands.length}\nSee 'isctl ${command} -h' for help and examples`,
    )
  }
  return operands[0]!
}

// ---------------------------------------------------------------------------------------------
// Sources (kubectl's ParseFileSource/ParseLiteralSource); keys are checked by the server's rules

/** goBase is Go's path.Base: the last element, trailing slashes ignored, `.` for an empty path. */
export function goBase(path: string): string {
  if (path === '') return '.'
  const trimmed = path.replace(/\/+$/, '')
  if (trimmed === '') return '/'
  return trimmed.slice(trimmed.lastIndexOf('/') + 1)
}

/** FileSource is one `--from-file`: the key (undefined: the file's or each entry's basename) and path. */
export interface FileSource {
  readonly key: string | undefined
  readonly path: string
}

/** parseFileSource reads `[KEY=]PATH` with kubectl's rules and messages. */
export function parseFileSource(source: string): FileSource {
  const separators = source.split('=').length - 1
  if (separators === 0) return { key: undefined, path: source }
  if (separators > 1) throw new CliError(`key names or file paths cannot contain '='`)
  if (source.startsWith('='))
    throw new CliError(`key name for file path ${source.slice(1)} missing`)
  if (source.endsWith('='))
    throw new CliError(`file path for key name ${source.slice(0, -1)} missing`)
  const [key, path] = source.split('=') as [string, string]
  return { key, path }
}

/** parseLiteralSource reads `KEY=VALUE` (the value may contain `=`). */
export function parseLiteralSource(source: string): [key: string, value: string] {
  const eq = source.indexOf('=')
  if (eq <= 0) throw new CliError(`invalid literal source ${source}, expected key=value`)
  return [source.slice(0, eq), source.slice(eq + 1)]
}

/** GO_SPACE is Go's unicode.IsSpace (unlike JavaScript's \s, it leaves a BOM alone). */
const GO_LEADING_SPACE =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/

/**
 * parseEnvFile reads kubectl's env file: one `KEY=VALUE` per line, blank lines and `#` comments
 * skipped, leading blanks trimmed, a bare `KEY` taken from the environment, a BOM dropped from
 * the first line, invalid UTF-8 refused.
 */
export function parseEnvFile(
  content: Buffer,
  path: string,
  env: Readonly<Record<string, string | undefined>>,
): [key: string, value: string][] {
  const lines: Buffer[] = []
  let start = 0
  for (let i = content.indexOf(0x0a); i >= 0; i = content.indexOf(0x0a, start)) {
    lines.push(content.subarray(start, i))
    start = i + 1
  }
  if (start < content.length) lines.push(content.subarray(start))
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  const out: [string, string][] = []
  lines.forEach((raw, n) => {
    const bytes = raw.at(-1) === 0x0d ? raw.subarray(0, -1) : raw
    let line: string
    try {
      line = decoder.decode(bytes)
    } catch {
      throw new CliError(
        `env file ${path} contains invalid utf8 bytes at line ${n + 1}: [${[...bytes].join(' ')}]`,
      )
    }
    if (n === 0 && line.startsWith('\ufeff')) line = line.slice(1)
    line = line.replace(GO_LEADING_SPACE, '')
    if (line === '' || line.startsWith('#')) return
    const eq = line.indexOf('=')
    const key = eq < 0 ? line : line.slice(0, eq)
    const errs = checkEnvVarName(key)
    if (errs.length > 0) throw new CliError(`"${key}" is not a valid key name: ${errs.join(';')}`)
    out.push([key, eq < 0 ? (env[key] ?? '') : line.slice(eq + 1)])
  })
  return out
}

// ---------------------------------------------------------------------------------------------
// Building the Secret

/** SecretData collects a Secret's keys in the order kubectl adds them, refusing bad or repeated keys. */
export class SecretData {
  readonly #entries = new Map<string, Buffer>()

  /** add stores `value` under `key` (kubectl's addKeyFromLiteralToSecret). */
  add(key: string, value: Buffer): void {
    const errs = checkConfigMapKey(key)
    if (errs.length > 0) {
      throw new CliError(`"${key}" is not valid key name for a Secret ${errs.join(';')}`)
    }
    if (this.#entries.has(key)) {
      throw new CliError(`cannot add key ${key}, another key by that name already exists`)
    }
    this.#entries.set(key, value)
  }

  /** base64 is the Secret's `data`, keys sorted as Go sorts map keys. */
  base64(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const key of [...this.#entries.keys()].sort(byteOrder))
      out[key] = this.#entries.get(key)!.toString('base64')
    return out
  }
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
}

/** errnoText is Go's text for a system error (`no such file or directory`). */
function errnoText(err: unknown): string {
  const code = (err as { code?: unknown }).code
  return (typeof code === 'string' && ERRNO_TEXT[code]) || (err as Error).message
}

async function statOrFail(path: string) {
  try {
    return await stat(path)
  } catch (err) {
    throw new CliError(`error reading ${path}: ${errnoText(err)}`)
  }
}

async function readOrFail(path: string): Promise<Buffer> {
  try {
    return await readFile(path)
  } catch (err) {
    throw new CliError(`open ${path}: ${errnoText(err)}`)
  }
}

/** addFileSources adds each `--from-file`: a file under its key, a directory's regular files under their names. */
export async function addFileSources(data: SecretData, sources: readonly string[]): Promise<void> {
  for (const source of sources) {
    const { key, path } = parseFileSource(source)
    const info = await statOrFail(path)
    if (!info.isDirectory()) {
      data.add(key ?? goBase(path), await readOrFail(path))
      continue
    }
    if (key !== undefined) throw new CliError('cannot give a key name for a directory path')
    let entries: Dirent[]
    try {
      entries = await readdir(path, { withFileTypes: true })
    } catch (err) {
      throw new CliError(`error listing files in ${path}: open ${path}: ${errnoText(err)}`)
    }
    // Go's os.ReadDir sorts by name; symlinks, subdirectories and devices are skipped.
    for (const entry of entries.sort((a, b) => byteOrder(a.name, b.name))) {
      if (entry.isFile())
        data.add(entry.name, await readOrFail(`${path.replace(/\/+$/, '')}/${entry.name}`))
    }
  }
}

/** addEnvFileSources adds the pairs of each `--from-env-file`. */
export async function addEnvFileSources(
  data: SecretData,
  sources: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  for (const path of sources) {
    const info = await statOrFail(path)
    if (info.isDirectory()) throw new CliError('env secret file cannot be a directory')
    for (const [key, value] of parseEnvFile(await readOrFail(path), path, env))
      data.add(key, Buffer.from(value, 'utf8'))
  }
}

/**
 * dockerConfigJson is the `.dockerconfigjson` kubectl writes: byte for byte what Go's
 * json.Marshal makes of `{"auths":{SERVER:{username,password,email?,auth}}}`.
 */
export function dockerConfigJson(
  server: string,
  username: string,
  password: string,
  email: string,
): string {
  const fields: [string, string][] = [
    ['username', username],
    ['password', password],
    ['email', email],
    ['auth', Buffer.from(`${username}:${password}`, 'utf8').toString('base64')],
  ]
  const entry = fields
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${goJsonString(k)}:${goJsonString(v)}`)
    .join(',')
  return `{"auths":{${goJsonString(server)}:{${entry}}}}`
}

/**
 * secretHash is kubectl's `--append-hash` suffix: sha256 of `{"data","kind","name","type"}` as
 * Go marshals it, first ten hex digits with 0,1,3,a,e swapped for letters (no vowels, no
 * confusable digits).
 */
export function secretHash(name: string, type: string, data: Record<string, string>): string {
  const dataJson = Object.entries(data)
    .sort(([a], [b]) => byteOrder(a, b))
    .map(([k, v]) => `${goJsonString(k)}:${goJsonString(v)}`)
    .join(',')
  const encoded = `{"data":{${dataJson}},"kind":"Secret","name":${goJsonString(name)},"type":${goJsonString(type)}}`
  const hex = createHash('sha256').update(encoded, 'utf8').digest('hex')
  const swap: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' }
  return [...hex.slice(0, 10)].map((c) => swap[c] ?? c).join('')
}

/** newSecret is the object kubectl sends: namespace only when `-n` was given, empty fields left out. */
export function newSecret(
  name: string,
  namespace: string | undefined,
  type: string,
  data: Record<string, string>,
  appendHash: boolean,
): Secret {
  const finalName = appendHash ? `${name}-${secretHash(name, type, data)}` : name
  return {
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: {
      name: finalName,
      ...(namespace !== undefined && { namespace }),
    },
    ...(Object.keys(data).length > 0 && { data }),
    ...(type !== '' && { type }),
  }
}

// ---------------------------------------------------------------------------------------------
// The verbs

async function defaultConnect(flags: GlobalFlags, io: CommandIO): Promise<Session> {
  const { openSession } = await import('../client/session.js')
  return openSession(flags, io)
}

interface Planned {
  readonly dryRun: DryRun
  readonly output: OutputFormat
}

function plan(flags: CreateFlags, io: CommandIO): Planned {
  if (flags.dryRun === true) {
    io.stderr.write('Warning: --dry-run is deprecated and can be replaced with --dry-run=client.\n')
  }
  return { dryRun: parseDryRun(flags.dryRun), output: parseOutput(flags.output) }
}

/** sendAndPrint creates `secret` (unless a client dry run) and prints what the server returned. */
async function sendAndPrint(
  secret: Secret,
  planned: Planned,
  flags: GlobalFlags,
  io: CommandIO,
  connect: Connect,
): Promise<number> {
  let shown: Secret = secret
  if (planned.dryRun !== 'client') {
    const session = await connect(flags, io)
    try {
      shown = await session.client.create(RESOURCE_META.secrets, session.namespace, secret, {
        dryRun: planned.dryRun === 'server',
      })
    } catch (err) {
      // kubectl wraps the server's error, so it prints as `error: failed to create secret ...`.
      if (err instanceof ApiError) throw new CliError(`failed to create secret ${err.message}`)
      throw err
    } finally {
      await session.client.close()
    }
  }
  io.stdout.write(renderObject(shown, planned.output, 'created', planned.dryRun))
  return 0
}

/** runCreateSecretGeneric is `create secret generic NAME`. */
export async function runCreateSecretGeneric(
  operands: string[],
  flags: GenericSecretFlags & GlobalFlags,
  io: CommandIO,
  connect: Connect = defaultConnect,
): Promise<number> {
  const name = nameFromArgs(operands, 'create secret generic')
  const planned = plan(flags, io)
  const files = splitSlice(flags.fromFile)
  const literals = flags.fromLiteral ?? []
  const envFiles = splitSlice(flags.fromEnvFile)
  if (envFiles.length > 0 && (files.length > 0 || literals.length > 0)) {
    throw new CliError('from-env-file cannot be combined with from-file or from-literal')
  }
  const data = new SecretData()
  for (const literal of literals) {
    const [key, value] = parseLiteralSource(literal)
    data.add(key, Buffer.from(value, 'utf8'))
  }
  await addFileSources(data, files)
  await addEnvFileSources(data, envFiles, io.env)
  const namespace = flags.namespace ? flags.namespace : undefined
  const secret = newSecret(name, namespace, flags.type ?? '', data.base64(), !!flags.appendHash)
  return sendAndPrint(secret, planned, flags, io, connect)
}

/** runCreateSecretDockerRegistry is `create secret docker-registry NAME`. */
export async function runCreateSecretDockerRegistry(
  operands: string[],
  flags: DockerRegistryFlags & GlobalFlags,
  io: CommandIO,
  connect: Connect = defaultConnect,
): Promise<number> {
  const name = nameFromArgs(operands, 'create secret docker-registry')
  const planned = plan(flags, io)
  const files = splitSlice(flags.fromFile)
  const server = flags.dockerServer ?? DEFAULT_DOCKER_SERVER
  const username = flags.dockerUsername ?? ''
  const password = flags.dockerPassword ?? ''
  if (files.length === 0 && (username === '' || password === '' || server === '')) {
    throw new CliError(
      'either --from-file or the combination of --docker-username, --docker-password and --docker-server is required',
    )
  }
  const data = new SecretData()
  if (files.length > 0) {
    // A bare PATH is the config file itself: kubectl stores it under `.dockerconfigjson`.
    const keyed = files.map((f) => (f.includes('=') ? f : `${DOCKER_CONFIG_JSON_KEY}=${f}`))
    await addFileSources(data, keyed)
  } else {
    const json = dockerConfigJson(server, username, password, flags.dockerEmail ?? '')
    data.add(DOCKER_CONFIG_JSON_KEY, Buffer.from(json, 'utf8'))
  }
  const namespace = flags.namespace ? flags.namespace : undefined
  const secret = newSecret(
    name,
    namespace,
    SECRET_TYPES.dockerConfigJson,
    data.base64(),
    !!flags.appendHash,
  )
  return sendAndPrint(secret, planned, flags, io, connect)
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value]

function commonOptions(cmd: Command): Command {
  return cmd
    .argument('[NAME]')
    .allowExcessArguments()
    .option(
      '--dry-run [strategy]',
      'Must be "none", "server", or "client". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.',
      'none',
    )
    .option(
      '-o, --output <format>',
      `Output format. One of: (${OUTPUT_FORMATS.join(', ')}). Default: secret/NAME created`,
    )
    .option('--append-hash', 'Append a hash of the secret to its name.')
}

const GENERIC_EXAMPLES = `
Examples:
  # Create a pull secret from a Docker or Podman login file, for private-registry imports
  isctl create secret generic my-pull-secret --from-file=.dockerconfigjson=$HOME/.docker/config.json --type=kubernetes.io/dockerconfigjson

  # Create a secret with one key per file in a directory
  isctl create secret generic my-secret --from-file=path/to/dir

  # Create a secret with chosen keys and literal values
  isctl create secret generic my-secret --from-file=ssh-privatekey=path/to/id_rsa --from-literal=passphrase=topsecret

  # Create a secret from env files
  isctl create secret generic my-secret --from-env-file=path/to/foo.env --from-env-file=path/to/bar.env`

/** configureCreateSecretGeneric declares `create secret generic NAME [--from-file] [--from-literal] [--from-env-file] [--type]`. */
export const configureCreateSecretGeneric: ConfigureVerb = (cmd, ctx) => {
  commonOptions(
    cmd
      .summary('Create a secret from a local file, directory, or literal value')
      .description(
        `Create a secret based on a file, directory, or specified literal value.

A single secret may package one or more key/value pairs. A file's key defaults to its basename; give KEY=PATH to choose another. A directory adds each regular file in it under its own name (subdirectories, symlinks, devices and pipes are skipped).`,
      )
      .option(
        '--from-file <[key=]source>',
        'Key file, or KEY=FILE, or a directory of key files (repeatable; comma-separated values allowed).',
        collect,
      )
      .option(
        '--from-literal <key=value>',
        'A key and literal value to insert in the secret (repeatable).',
        collect,
      )
      .option(
        '--from-env-file <path>',
        'A file of KEY=VALUE lines to create the secret from (repeatable).',
        collect,
      )
      .option('--type <type>', 'The type of secret to create'),
  ).addHelpText('after', GENERIC_EXAMPLES)
  localAction(cmd, ctx, (operands, flags: GenericSecretFlags, io) =>
    runCreateSecretGeneric(operands, flags, io),
  )
}

const DOCKER_EXAMPLES = `
Examples:
  # Create a pull secret for a private registry
  isctl create secret docker-registry my-pull-secret --docker-server=registry.example.com --docker-username=alice --docker-password=s3cret --docker-email=alice@example.com

  # Create a pull secret from an existing login file
  isctl create secret docker-registry my-pull-secret --from-file=.dockerconfigjson=$HOME/.docker/config.json`

/** configureCreateSecretDockerRegistry declares `create secret docker-registry NAME --docker-*`. */
export const configureCreateSecretDockerRegistry: ConfigureVerb = (cmd, ctx) => {
  commonOptions(
    cmd
      .summary('Create a secret for use with a container registry')
      .description(
        `Create a new secret for use with container registries (type kubernetes.io/dockerconfigjson).

Image imports use every pull secret of the image stream's namespace: create one here with the registry's host as --docker-server, or from an existing login file with --from-file.`,
      )
      .option('--docker-server <server>', 'Server location for the registry', DEFAULT_DOCKER_SERVER)
      .option('--docker-username <username>', 'Username for registry authentication')
      .option('--docker-password <password>', 'Password for registry authentication')
      .option('--docker-email <email>', 'Email for the registry')
      .option(
        '--from-file <[key=]source>',
        'A login file (stored as .dockerconfigjson), or KEY=FILE (repeatable).',
        collect,
      ),
  ).addHelpText('after', DOCKER_EXAMPLES)
  localAction(cmd, ctx, (operands, flags: DockerRegistryFlags, io) =>
    runCreateSecretDockerRegistry(operands, flags, io),
  )
}
