/**
 * `isctl projects [--short]`, as `oc projects` (openshift/oc pkg/cli/projects): the projects the
 * user may see, the current one marked, and where the session points.
 */
import type { Command } from 'commander'
import { listProjects, projectAccess, type ProjectSummary } from '../client/projects.js'
import type { Session } from '../client/session.js'
import { CliError, UsageError } from '../errors.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'
import { contextNickname, showMessage } from './project.js'

/** ProjectsFlags are `projects`' flags. */
export interface ProjectsFlags {
  readonly short?: boolean | undefined
}

/** displayName is oc's DisplayNameForProject: `Display Name (name)`, or the name alone. */
function displayName(p: ProjectSummary): string {
  return p.displayName !== '' && p.displayName !== p.name ? `${p.displayName} (${p.name})` : p.name
}

/** projectsText is what `projects` prints of the list, as oc's RunProjects builds it. */
export function projectsText(
  projects: readonly ProjectSummary[],
  current: string | undefined,
  short: boolean,
): string {
  if (projects.length === 0) {
    return short
      ? ''
      : "You are not a member of any projects. You can request a project to be created with the 'new-project' command."
  }
  if (projects.length === 1) {
    const only = projects[0]!
    return short ? only.name : `You have one project on this server: "${displayName(only)}".`
  }
  let msg = short
    ? ''
    : "You have access to the following projects and can switch between them with 'isctl project <projectname>':\n"
  projects.forEach((p, i) => {
    const marker = current === undefined || short ? '' : current === p.name ? '  * ' : '    '
    if (p.displayName !== '' && p.displayName !== p.name && !short) {
      msg += `\n${marker}${p.name} - ${p.displayName}`
    } else {
      msg += `${short && i === 0 ? '' : '\n'}${marker}${p.name}`
    }
  })
  return msg
}

function checkOperands(operands: readonly string[]): void {
  if (operands.length > 0) throw new UsageError('no arguments should be passed')
}

/** runProjects lists the projects; resolves to the exit code. */
export async function runProjects(
  operands: string[],
  flags: ProjectsFlags,
  session: Session,
): Promise<number> {
  checkOperands(operands)
  const { client, context, io } = session
  const current = context.namespace
  const denied = current === '' ? new Error('no project') : await projectAccess(client, current)
  const projects = await listProjects(client)
  const short = flags.short === true
  io.stdout.write(`${projectsText(projects, denied ? undefined : current, short)}\n`)
  if (projects.length === 0 || short) return 0
  if (denied) {
    throw new CliError(
      `You do not have rights to view project "${current}". Please switch to an existing one.`,
    )
  }
  const nickname = contextNickname(current, context.clusterName, context.userName)
  io.stdout.write(
    `\n${showMessage({ project: current, contextName: context.contextName, nickname, server: context.cluster.server ?? '' })}`,
  )
  return 0
}

/** configureProjects declares `projects`. */
export const configureProjects: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description(
      "Display information about the current active project and existing projects on the server.\n\nFor advanced configuration, or to manage the contents of your config file, use the 'config' command.",
    )
    .option('-q, --short', 'If true, display only the project names')
  sessionAction(cmd, ctx, runProjects, checkOperands)
}
