/**
 * `isctl secrets link SA SECRET...` and `isctl secrets unlink SA SECRET...`, as oc does them
 * (oc pkg/cli/secrets/link.go): `--for=pull` edits the service account's imagePullSecrets,
 * `--for=mount` its secrets; missing secrets are reported and skipped; the service account is
 * written only when something changed, and the write is retried on a conflict. Linking an Opaque
 * secret that holds a pull-secret key warns that neither pods nor imports will use it.
 */
import type { Secret, ServiceAccount } from '../../api/core.js'
import { misTypedPullSecret, misTypedPullSecretAdvice } from '../../api/mistyped-pull-secrets.js'
import { RESOURCE_META } from '../../api/resource-meta.js'
import { ApiError, isNotFound } from '../client/api-errors.js'
import type { Session } from '../client/session.js'
import { CliError } from '../errors.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'
import { splitSlice } from '../go-flags.js'
import { OUTPUT_FORMATS, parseOutput, renderObject } from '../printers/typed-objects.js'

/** LinkFlags are `secrets link`'s flags. */
export interface LinkFlags {
  /** `--for`, repeatable and comma-separated; undefined means `mount`. */
  readonly for?: readonly string[] | undefined
}

/** UnlinkFlags are `secrets unlink`'s flags. */
export interface UnlinkFlags {
  readonly output?: string | undefined
}

/** LinkTargets says which lists of the service account a link edits. */
export interface LinkTargets {
  readonly pull: boolean
  readonly mount: boolean
}

/** How many times an update that lost a race is recomputed on a fresh copy (client-go's DefaultRetry). */
const CONFLICT_ATTEMPTS = 5

/** parseFor reads `--for`: pull and/or mount, case-insensitive; default mount. */
export function parseFor(values: readonly string[] | undefined): LinkTargets {
  const list = splitSlice(values)
  if (list.length === 0) return { pull: false, mount: true }
  let pull = false
  let mount = false
  for (const value of list) {
    const lowered = value.toLowerCase()
    if (lowered === 'pull') pull = true
    else if (lowered === 'mount') mount = true
    else throw new CliError(`unknown for: ${value}`)
  }
  return { pull, mount }
}

/** SecretArgs are the validated operands: the service account and the secrets as given. */
export interface SecretArgs {
  readonly serviceAccount: string
  readonly secrets: readonly string[]
}

/** requireOperands checks that there are a service account and at least one secret. */
function requireOperands(operands: readonly string[]): void {
  if (operands.length < 2) {
    throw new CliError('must have service account name and at least one secret name')
  }
}

/** parseSecretArgs checks `SA SECRET...`; a secret may be written `secret/NAME` or `secrets/NAME`. */
export function parseSecretArgs(operands: readonly string[]): SecretArgs {
  requireOperands(operands)
  const [serviceAccount, ...secrets] = operands as [string, ...string[]]
  for (const arg of secrets) {
    const segs = arg.split('/')
    if (segs.length > 1 && segs[0] !== 'secret' && segs[0] !== 'secrets') {
      throw new CliError(`expected resource of type secret, got "${arg}"`)
    }
  }
  return { serviceAccount: resourceArgName(serviceAccount, 'serviceaccount'), secrets }
}

/** ALIASES are the resource words accepted before the slash of a `TYPE/NAME` operand. */
const ALIASES = {
  serviceaccount: ['sa', 'serviceaccount', 'serviceaccounts'],
  secret: ['secret', 'secrets'],
} as const

/** resourceArgName is the name in `NAME` or `TYPE/NAME`, refused in the forms kubectl's builder refuses. */
export function resourceArgName(arg: string, kind: keyof typeof ALIASES): string {
  const segs = arg.split('/')
  if (segs.length === 1) return arg
  if (segs.length > 2) {
    throw new CliError('arguments in resource/name form may not have more than one slash')
  }
  const [type, name] = segs as [string, string]
  if (type === '' || name === '') {
    throw new CliError('arguments in resource/name form must have a single resource and name')
  }
  if (!(ALIASES[kind] as readonly string[]).includes(type)) {
    throw new CliError(`expected resource of type ${kind}, got "${arg}"`)
  }
  return name
}

/** linkedAccount adds the `names` not already there (sorted, as oc adds them); undefined when nothing changes. */
export function linkedAccount(
  sa: ServiceAccount,
  names: ReadonlySet<string>,
  targets: LinkTargets,
): ServiceAccount | undefined {
  const sorted = [...names].sort()
  const mount = sa.secrets ?? []
  const pull = sa.imagePullSecrets ?? []
  const addMount = targets.mount ? sorted.filter((n) => !mount.some((r) => r.name === n)) : []
  const addPull = targets.pull ? sorted.filter((n) => !pull.some((r) => r.name === n)) : []
  if (addMount.length === 0 && addPull.length === 0) return undefined
  return {
    ...sa,
    ...(addMount.length > 0 && { secrets: [...mount, ...addMount.map((name) => ({ name }))] }),
    ...(addPull.length > 0 && {
      imagePullSecrets: [...pull, ...addPull.map((name) => ({ name }))],
    }),
  }
}

/** unlinkedAccount drops `names` from both lists; undefined when none of them was linked. */
export function unlinkedAccount(
  sa: ServiceAccount,
  names: ReadonlySet<string>,
): ServiceAccount | undefined {
  const mount = sa.secrets ?? []
  const pull = sa.imagePullSecrets ?? []
  const keptMount = mount.filter((r) => !names.has(r.name ?? ''))
  const keptPull = pull.filter((r) => !names.has(r.name ?? ''))
  if (keptMount.length === mount.length && keptPull.length === pull.length) return undefined
  const { secrets: _secrets, imagePullSecrets: _pull, ...rest } = sa
  // Empty lists are left out, as Go's omitempty leaves them out of what oc sends.
  return {
    ...rest,
    ...(keptMount.length > 0 && { secrets: keptMount }),
    ...(keptPull.length > 0 && { imagePullSecrets: keptPull }),
  }
}

/**
 * lookUpSecrets reads each named secret; a missing one is reported on stderr as oc reports it
 * and left out (`keepMissing`: kept, so that unlink can drop a deleted secret's reference).
 */
async function lookUpSecrets(
  session: Session,
  args: readonly string[],
  keepMissing: boolean,
): Promise<{ names: Set<string>; missing: boolean; found: Secret[] }> {
  const names = new Set<string>()
  const found: Secret[] = []
  let missing = false
  for (const arg of args) {
    const name = resourceArgName(arg, 'secret')
    try {
      const secret = await session.client.get(RESOURCE_META.secrets, {
        namespace: session.namespace,
        name,
      })
      names.add(secret.metadata.name ?? name)
      found.push(secret)
    } catch (err) {
      if (!isNotFound(err)) throw err
      session.io.stderr.write(`secret "${arg}" not found\n`)
      missing = true
      if (keepMissing) names.add(name)
    }
  }
  return { names, missing, found }
}

/** misTypedWarnings are the warnings for the Opaque secrets among `secrets` that hold a pull-secret key. */
export function misTypedWarnings(secrets: readonly Secret[]): string {
  return secrets
    .flatMap((s) => misTypedPullSecret(s) ?? [])
    .map((m) => `Warning: ${misTypedPullSecretAdvice(m)}\n`)
    .join('')
}

/**
 * updateAccount applies `change` to the service account and writes it, recomputing on a fresh
 * copy when another writer got there first; resolves to the stored object, or undefined when
 * `change` found nothing to do.
 */
async function updateAccount(
  session: Session,
  first: ServiceAccount,
  change: (sa: ServiceAccount) => ServiceAccount | undefined,
): Promise<ServiceAccount | undefined> {
  let current = first
  for (let attempt = 1; ; attempt++) {
    const next = change(current)
    if (next === undefined) return undefined
    const target = { namespace: session.namespace, name: current.metadata.name }
    try {
      return await session.client.update(RESOURCE_META.serviceaccounts, target, next)
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409) || attempt >= CONFLICT_ATTEMPTS)
        throw err
      current = await session.client.get(RESOURCE_META.serviceaccounts, target)
    }
  }
}

function getAccount(session: Session, name: string): Promise<ServiceAccount> {
  return session.client.get(RESOURCE_META.serviceaccounts, { namespace: session.namespace, name })
}

/** runSecretsLink is `secrets link SA SECRET... [--for=pull,mount]`; silent on success. */
export async function runSecretsLink(
  operands: string[],
  flags: LinkFlags,
  session: Session,
): Promise<number> {
  requireOperands(operands)
  const targets = parseFor(flags.for)
  const args = parseSecretArgs(operands)
  const sa = await getAccount(session, args.serviceAccount)
  const { names, missing, found } = await lookUpSecrets(session, args.secrets, false)
  if (names.size === 0) throw new CliError('No valid secrets found')
  // Linked all the same, as oc links them: the warning says what the link will not do.
  session.io.stderr.write(misTypedWarnings(found))
  const updated = await updateAccount(session, sa, (current) =>
    linkedAccount(current, names, targets),
  )
  // As oc: a missing secret fails the command only when nothing else was linked.
  if (updated === undefined && missing) throw new CliError('Some secrets could not be linked')
  return 0
}

/** runSecretsUnlink is `secrets unlink SA SECRET...`; prints `serviceaccount/SA updated`. */
export async function runSecretsUnlink(
  operands: string[],
  flags: UnlinkFlags,
  session: Session,
): Promise<number> {
  const args = parseSecretArgs(operands)
  const output = parseOutput(flags.output)
  const sa = await getAccount(session, args.serviceAccount)
  const { names, missing } = await lookUpSecrets(session, args.secrets, true)
  const updated = await updateAccount(session, sa, (current) => unlinkedAccount(current, names))
  if (updated === undefined) {
    throw new CliError('No valid secrets found or secrets not linked to service account')
  }
  if (missing) {
    throw new CliError(
      `Unlinked deleted secrets from ${session.namespace}/${updated.metadata.name ?? ''} service account`,
    )
  }
  const shown = { ...updated, kind: 'ServiceAccount', apiVersion: 'v1' }
  session.io.stdout.write(renderObject(shown, output, 'updated'))
  return 0
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value]

const LINK_EXAMPLES = `
Examples:
  # Let pods of the default service account pull with a registry secret
  isctl secrets link default my-pull-secret --for=pull

  # Use a secret both for pulling images and mounted in builds
  isctl secrets link builder builder-image-secret --for=pull,mount`

/** configureSecretsLink declares `secrets link SA SECRET... [--for=pull,mount]`. */
export const configureSecretsLink: ConfigureVerb = (cmd, ctx) => {
  cmd
    .summary('Link secrets to a service account')
    .description(
      `Link secrets to a service account.

Linking a secret enables a service account to automatically use that secret for some forms of authentication: --for=pull adds it to the image pull secrets (pod pulls), --for=mount to the mountable secrets (builds). Image imports do not need this: they use every pull secret of the image stream's namespace.`,
    )
    .argument('[serviceaccount-name]')
    .argument('[secret-name...]')
    .option('--for <type>', 'type of secret to link: mount or pull (default [mount])', collect)
    .addHelpText('after', LINK_EXAMPLES)
  sessionAction(cmd, ctx, runSecretsLink)
}

const UNLINK_EXAMPLES = `
Examples:
  # Unlink a secret currently associated with a service account
  isctl secrets unlink serviceaccount-name secret-name another-secret-name ...`

/** configureSecretsUnlink declares `secrets unlink SA SECRET...`. */
export const configureSecretsUnlink: ConfigureVerb = (cmd, ctx) => {
  cmd
    .summary('Detach secrets from a service account')
    .description(
      `Unlink (detach) secrets from a service account.

If a secret is no longer valid for a pod, build or image pull, you may unlink it from a service account. A secret that was deleted can still be unlinked.`,
    )
    .argument('[serviceaccount-name]')
    .argument('[secret-name...]')
    .option(
      '-o, --output <format>',
      `Output format. One of: (${OUTPUT_FORMATS.join(', ')}). Default: serviceaccount/NAME updated`,
    )
    .addHelpText('after', UNLINK_EXAMPLES)
  sessionAction(cmd, ctx, runSecretsUnlink)
}
