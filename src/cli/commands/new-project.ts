/**
 * `isctl new-project NAME [--display-name=...] [--description=...] [--skip-config-write]`, as
 * `oc new-project` (openshift/oc pkg/cli/requestproject): asks whether the user may request
 * projects (the server's own refusal message is the error), requests the project, which makes the
 * requester its admin, and switches to it unless told not to.
 */
import type { Command } from 'commander'
import { PROJECT_REQUESTS_PATH } from '../client/projects.js'
import type { Session } from '../client/session.js'
import { UsageError } from '../errors.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'
import { contextNickname, switchMessage, useProjectContext } from './project.js'

/** NewProjectFlags are `new-project`'s flags. */
export interface NewProjectFlags {
  readonly displayName?: string | undefined
  readonly description?: string | undefined
  readonly skipConfigWrite?: boolean | undefined
}

/** NEXT_STEPS is what follows the switch: oc suggests new-app, here the first import. */
const NEXT_STEPS = `
You can add images to this project with the 'import-image' command. For example, try:

    isctl import-image app:latest --from=registry.example.com/team/app:latest --confirm

to track an image from another registry in the image stream "app".

`

function checkOperands(operands: readonly string[]): void {
  if (operands.length !== 1) throw new UsageError('must have exactly one argument')
}

/** runNewProject requests the project and switches to it; resolves to the exit code. */
export async function runNewProject(
  operands: string[],
  flags: NewProjectFlags,
  session: Session,
): Promise<number> {
  checkOperands(operands)
  const name = operands[0] ?? ''
  const { client, io, context } = session
  await client.request('GET', PROJECT_REQUESTS_PATH)
  await client.request('POST', PROJECT_REQUESTS_PATH, {
    body: {
      kind: 'ProjectRequest',
      apiVersion: 'project.openshift.io/v1',
      metadata: { name },
      ...(flags.displayName ? { displayName: flags.displayName } : {}),
      ...(flags.description ? { description: flags.description } : {}),
    },
  })
  const server = context.cluster.server ?? ''
  if (flags.skipConfigWrite) {
    io.stdout.write(
      `Project "${name}" created on server "${server}".\n\nTo switch to this project and start adding images, use:\n\n    isctl project ${name}\n`,
    )
    return 0
  }
  const target = await useProjectContext(session, name)
  io.stdout.write(
    switchMessage({
      argument: name,
      project: name,
      previous: context.namespace,
      contextName: target.name,
      nickname: contextNickname(name, target.cluster, target.user),
      server: target.server,
    }),
  )
  io.stdout.write(NEXT_STEPS)
  return 0
}

const EXAMPLES = `
Examples:
  # Create a new project with minimal information
  isctl new-project web-team-dev

  # Create a new project with a display name and description
  isctl new-project web-team-dev --display-name="Web Team Development" --description="Development project for the web team."`

/** configureNewProject declares `new-project`. */
export const configureNewProject: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description(
      'Create a new project for yourself.\n\nIf your administrator allows self-service, this command will create a new project for you and assign you as the project admin.\n\nAfter your project is created it will become the default project in your config.',
    )
    .argument('[NAME]', 'The name of the project')
    .option('--display-name <name>', 'Project display name')
    .option('--description <text>', 'Project description')
    .option(
      '--skip-config-write',
      'If true, the project will not be set as a cluster entry in kubeconfig after being created',
    )
    .addHelpText('after', EXAMPLES)
  sessionAction(cmd, ctx, runNewProject, checkOperands)
}
