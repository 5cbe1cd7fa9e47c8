/**
 * `isctl whoami`: the user the server sees (a SelfSubjectReview, as oc and `kubectl auth
 * whoami` ask), or with `--show-server`, `--show-context`, `--show-token` what the session
 * uses, read from the configuration without a request.
 */
import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { SELF_SUBJECT_REVIEW_PATH, USER_API_VERSION } from '../../api/paths.js'
import type { ApiClient } from '../client/api-client.js'
import type { Session } from '../client/session.js'
import { UsageError } from '../errors.js'
import { formatDocument } from '../printers/objects.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'

/** WhoamiFlags are the flags of `whoami` as commander hands them over. */
export interface WhoamiFlags {
  readonly showToken?: boolean | undefined
  readonly showContext?: boolean | undefined
  readonly showServer?: boolean | undefined
  readonly output?: string | undefined
}

/** WhoamiMode is what one `whoami` prints. */
export type WhoamiMode = 'user' | 'token' | 'context' | 'server' | 'json' | 'yaml'

/** UserInfo is the identity a SelfSubjectReview reports. */
export interface UserInfo {
  readonly username: string
  readonly groups: readonly string[]
}

const EXAMPLES = `
Examples:
  # Display the currently authenticated user
  isctl whoami

  # Display the server and the context in use
  isctl whoami --show-server
  isctl whoami --show-context
`

/** whoamiMode validates the flags as oc does; the first `--show-*` flag wins. */
export function whoamiMode(flags: WhoamiFlags): WhoamiMode {
  const output = flags.output ?? ''
  if (output !== '' && output !== 'json' && output !== 'yaml') {
    throw new UsageError(
      `unable to match a printer suitable for the output format "${output}", allowed formats are: json,yaml`,
    )
  }
  if (output !== '' && (flags.showToken || flags.showContext || flags.showServer)) {
    throw new UsageError(
      '--output cannot be used with --show-token, --show-context, or --show-server',
    )
  }
  if (flags.showToken) return 'token'
  if (flags.showContext) return 'context'
  if (flags.showServer) return 'server'
  return output === '' ? 'user' : output
}

/** whoAmI asks the server who the client's credentials belong to. */
export async function whoAmI(client: ApiClient): Promise<UserInfo> {
  const review = await client.request<{
    status?: { userInfo?: { username?: string; groups?: string[] } }
  }>('POST', SELF_SUBJECT_REVIEW_PATH, {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  })
  const info = review.status?.userInfo
  return { username: info?.username ?? '', groups: info?.groups ?? [] }
}

/** userObject is the user.openshift.io User oc prints for `whoami -o json|yaml`. */
export function userObject(user: UserInfo): Record<string, unknown> {
  return {
    apiVersion: USER_API_VERSION,
    kind: 'User',
    metadata: { creationTimestamp: null, name: user.username },
    groups: user.groups,
    identities: null,
  }
}

/** configureWhoami declares `whoami`. */
export const configureWhoami: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description(
      'Show information about the current session.\n\nThe default options for this command will return the currently authenticated user name. Other flags support returning the currently used token, the server or the user context.',
    )
    .option(
      '-t, --show-token',
      'Print the token the current session is using. This will return an error if you are using a different form of authentication.',
    )
    .option('-c, --show-context', 'Print the current user context name')
    .option('--show-server', "If true, print the current server's REST API URL")
    .option('-o, --output <format>', 'Output format. One of: json|yaml')
    .addHelpText('after', EXAMPLES)
  sessionAction(cmd, ctx, runWhoami)
}

/** runWhoami prints what the flags ask for; resolves to the exit code. */
export async function runWhoami(
  _operands: string[],
  flags: WhoamiFlags,
  session: Session,
): Promise<number> {
  const mode = whoamiMode(flags)
  const out = session.io.stdout
  switch (mode) {
    case 'token': {
      const { token: inline, tokenFile } = session.context.user
      const token =
        inline ?? (tokenFile !== undefined ? (await readFile(tokenFile, 'utf8')).trim() : undefined)
      if (!token) throw new UsageError('no token is currently in use for this session')
      out.write(`${token}\n`)
      return 0
    }
    case 'context':
      out.write(`${session.context.contextName}\n`)
      return 0
    case 'server':
      out.write(`${session.context.cluster.server}\n`)
      return 0
    case 'user':
      out.write(`${(await whoAmI(session.client)).username}\n`)
      return 0
    case 'json':
    case 'yaml':
      out.write(formatDocument(userObject(await whoAmI(session.client)), mode))
      return 0
  }
}
