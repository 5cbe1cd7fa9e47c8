/**
 * `isctl project [NAME]`: shows the project (namespace) in use, or switches to another one by
 * making a context for it current, as `oc project` does; projects are read through
 * project.openshift.io (the namespaces the user may see). NAME may also be the name of an existing context.
 */
import type { Command } from 'commander'
import { resolveContext, writeKubeconfigChange } from '../client/kubeconfig.js'
import { listProjects, projectAccess } from '../client/projects.js'
import type { Session } from '../client/session.js'
import { CliError } from '../errors.js'
import { sessionAction, type ConfigureVerb } from '../verb.js'
import { existingContextName } from './login.js'

/** ProjectFlags are the flags of `project` as commander hands them over. */
export interface ProjectFlags {
  readonly short?: boolean | undefined
}

const EXAMPLES = `
Examples:
  # Switch to the 'myapp' project
  isctl project myapp

  # Display the project currently in use
  isctl project
`

/** contextNickname is oc's GetContextNickname: `<namespace>/<cluster>/<user before any slash>`. */
export function contextNickname(namespace: string, cluster: string, user: string): string {
  return `${namespace}/${cluster}/${user.split('/')[0] ?? ''}`
}

/** showMessage is what `project` without NAME prints. */
export function showMessage(o: {
  project: string
  contextName: string
  nickname: string
  server: string
}): string {
  return o.contextName === o.nickname
    ? `Using project "${o.project}" on server "${o.server}".\n`
    : `Using project "${o.project}" from context named "${o.contextName}" on server "${o.server}".\n`
}

/** switchMessage is what `project NAME` prints after switching, in oc's order of cases. */
export function switchMessage(o: {
  argument: string
  project: string
  previous: string
  contextName: string
  nickname: string
  server: string
}): string {
  if (o.project === '')
    return `Now using context named "${o.contextName}" on server "${o.server}".\n`
  if (o.previous === o.project)
    return `Already on project "${o.project}" on server "${o.server}".\n`
  if (o.argument === o.project && o.contextName === o.nickname) {
    return `Now using project "${o.project}" on server "${o.server}".\n`
  }
  return `Now using project "${o.project}" from context named "${o.contextName}" on server "${o.server}".\n`
}

/** missingProjectMessage is oc's error for a project that is not there (or not visible), with the ones that are. */
export function missingProjectMessage(o: {
  argument: string
  server: string
  forbidden: boolean
  projects: readonly string[] | undefined
}): string {
  let msg = o.forbidden
    ? `You are not a member of project "${o.argument}".`
    : `A project named "${o.argument}" does not exist on "${o.server}".`
  const projects = o.projects === undefined ? undefined : [...o.projects].sort()
  if (projects?.length === 0) msg += '\nYou are not a member of any projects.'
  else if (projects?.length === 1) msg += `\nYou have one project on this server: ${projects[0]}`
  else if (projects) msg += `\nYour projects are:${projects.map((p) => `\n* ${p}`).join('')}`
  return msg
}

/** configureProject declares `project`. */
export const configureProject: ConfigureVerb = (cmd: Command, ctx) => {
  cmd
    .description(
      'Switch to another project and make it the default in your configuration.\n\nIf no project was specified on the command line, display information about the current active project. Projects are the namespaces of the server. If you have previously created a context with a different name than the project name, this command will accept that context name instead.',
    )
    .argument('[NAME]', 'The project (namespace) or context to switch to')
    .option('-q, --short', 'If true, display only the project name')
    .addHelpText('after', EXAMPLES)
  sessionAction(cmd, ctx, runProject)
}

/** ProjectContext is the kubeconfig context a project is used through. */
export interface ProjectContext {
  readonly name: string
  readonly cluster: string
  readonly user: string
  readonly namespace: string
  readonly server: string
}

/**
 * useProjectContext makes the context for `namespace` on the session's cluster and user current:
 * an existing one for the same three, else a new one under oc's nickname.
 */
export async function useProjectContext(
  session: Session,
  namespace: string,
): Promise<ProjectContext> {
  const { context, config } = session
  const entry = { cluster: context.clusterName, user: context.userName, namespace }
  const reuse = existingContextName(config, entry)
  const name = reuse ?? contextNickname(namespace, context.clusterName, context.userName)
  await writeKubeconfigChange(config, {
    ...(reuse === undefined && { contexts: [{ name, context: entry }] }),
    currentContext: name,
  })
  return { name, ...entry, server: context.cluster.server ?? '' }
}

/** runProject shows or switches the project; resolves to the exit code. */
export async function runProject(
  operands: string[],
  flags: ProjectFlags,
  session: Session,
): Promise<number> {
  const { context, config, io } = session
  const server = context.cluster.server ?? ''
  const previous = context.namespace
  const argument = operands[0]

  if (argument === undefined) {
    if (await projectAccess(session.client, previous)) {
      throw new CliError(
        `you do not have rights to view project "${previous}" specified in your config or the project doesn't exist`,
      )
    }
    if (flags.short) {
      io.stdout.write(`${previous}\n`)
      return 0
    }
    io.stdout.write(
      showMessage({
        project: previous,
        contextName: context.contextName,
        nickname: contextNickname(previous, context.clusterName, context.userName),
        server,
      }),
    )
    return 0
  }

  let target: ProjectContext
  const named = findContext(session, argument)
  if (named) {
    target = named
    await writeKubeconfigChange(config, { currentContext: argument })
  } else {
    const denied = await projectAccess(session.client, argument)
    if (denied) {
      throw new CliError(
        missingProjectMessage({
          argument,
          server,
          forbidden: denied.status === 403,
          projects: await listProjects(session.client).then(
            (list) => list.map((p) => p.name),
            () => undefined,
          ),
        }),
      )
    }
    target = await useProjectContext(session, argument)
  }

  if (flags.short) {
    io.stdout.write(`${target.namespace}\n`)
    return 0
  }
  io.stdout.write(
    switchMessage({
      argument,
      project: target.namespace,
      previous,
      contextName: target.name,
      nickname: contextNickname(target.namespace, target.cluster, target.user),
      server: target.server,
    }),
  )
  return 0
}

/** findContext resolves NAME as a context of the configuration, when one is named so. */
function findContext(
  session: Session,
  name: string,
): { name: string; cluster: string; user: string; namespace: string; server: string } | undefined {
  const defined = session.config.files.some((f) => {
    const items = f.doc.contexts
    return (
      Array.isArray(items) &&
      items.some(
        (i: unknown) => typeof i === 'object' && i !== null && 'name' in i && i.name === name,
      )
    )
  })
  if (!defined) return undefined
  const c = resolveContext(session.config, name)
  return {
    name,
    cluster: c.clusterName,
    user: c.userName,
    namespace: c.namespace,
    server: c.cluster.server ?? '',
  }
}
