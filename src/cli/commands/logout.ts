/**
 * `isctl logout`: deletes the session's OAuth token on the server (its OAuthAccessToken, named
 * by the token's hash) and removes the token from the kubeconfig, as `oc logout` does. A failed
 * deletion on the server is not an error (oc only logs it); a kubeconfig that cannot be written
 * is.
 */
import type { Command } from 'commander'
import { OAUTH_ACCESS_TOKENS_PATH } from '../../api/paths.js'
import { tokenObjectName } from '../../lib/oauth-token-name.js'
import { removeToken } from '../client/kubeconfig.js'
import type { Session } from '../client/session.js'
import { UsageError } from '../errors.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'
import { whoAmI } from './whoami.js'

const EXAMPLES = `
Examples:
  # Log out
  isctl logout
`

/** checkLogout refuses operands, as oc does. */
export function checkLogout(operands: readonly string[]): void {
  if (operands.length > 0) throw new UsageError('No arguments are allowed')
}

/** configureLogout declares `logout`. */
export const configureLogout: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description(
      "Log out of the active session out by clearing saved tokens.\n\nAn authentication token is stored in the config file after login - this command will delete that token on the server, and then remove the token from the configuration file.\n\nAfter logging out, if you want to log back into the server use 'isctl login'.",
    )
    .addHelpText('after', EXAMPLES)
  sessionAction(cmd, ctx, runLogout, (operands) => checkLogout(operands))
}

/** runLogout revokes the session's token and forgets it; resolves to the exit code. */
export async function runLogout(
  _operands: string[],
  _flags: object,
  session: Session,
): Promise<number> {
  const token = session.context.user.token
  if (!token) throw new UsageError('You must have a token in order to logout.')
  const user = await whoAmI(session.client)
  try {
    await session.client.request(
      'DELETE',
      `${OAUTH_ACCESS_TOKENS_PATH}/${encodeURIComponent(tokenObjectName(token))}`,
    )
  } catch {
    // As oc: the token may be the admin token or already gone; it is forgotten here all the same.
  }
  await removeToken(session.config, token)
  session.io.stdout.write(
    `Logged ${JSON.stringify(user.username)} out on ${JSON.stringify(session.context.cluster.server)}\n`,
  )
  return 0
}
