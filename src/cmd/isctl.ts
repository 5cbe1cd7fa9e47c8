#!/usr/bin/env node
/**
 * The `isctl` binary: the verb tree. Every verb is declared by name and summary; only the module
 * of the verb being run is loaded (src/cli/select-verb.ts finds it before parsing), so
 * `isctl version` never loads the API client and `isctl image info` never loads the API types.
 * Start-up time is measured against `node -e ''`.
 */
import { isatty } from 'node:tty'
import { setFlagsFromString } from 'node:v8'
import { Command } from 'commander'
import type { CommandIO } from '../cli/io.js'
import { reportLikeCobra } from '../cli/flag-errors.js'
import { addGlobalOptions, GLOBAL_OPTIONS_TIP } from '../cli/global-flags.js'
import { selectVerb } from '../cli/select-verb.js'
import type { ConfigureVerb, VerbContext } from '../cli/verb.js'
import type { ImageInfoFlags } from '../cli/commands/image-info.js'
import type { ServeFlags } from './serve-options.js'
import type { ServeMigrateFlags } from './serve-migrate.js'

/**
 * readStdin reads standard input to its end; process.stdin is touched only here, when a verb
 * reads `-`. Not node:stream/consumers: the bundled binary's code-cached script has no callback
 * for a dynamic import of a Node module.
 */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function processIO(): CommandIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    now: () => new Date(),
    readStdin,
    // isatty rather than process.stdin.isTTY: stdin is opened only when a prompt reads it.
    ...(isatty(0) && {
      prompt: async (question: string, opts: { readonly echo: boolean }) =>
        (await import('../cli/ui/prompt.js')).promptLine(
          process.stdin,
          process.stdout,
          question,
          opts.echo,
        ),
    }),
  }
}

/**
 * compileForShortRun keeps WebAssembly (undici's HTTP parser) on V8's baseline compiler. By
 * default V8 optimises the whole module on background threads, and process exit waits for that
 * work: 60-80 ms of every one-shot registry command on this machine, for code that parses a
 * few kilobytes. Must run before the first connection; `serve` never calls it.
 */
function compileForShortRun(): void {
  setFlagsFromString('--liftoff-only')
}

/**
 * collectForStreaming lets V8's old generation grow to 4x what survives a full collection (its
 * largest factor) before marking again. Left to its own heuristics, a server whose heap is
 * small and steady sets that limit just above its live size, and the socket buffers of a blob
 * streaming through, promoted a few at a time, then start a full mark every 100-250 ms: 0.6-1 s
 * more CPU (on V8's worker threads) per 200 MB pulled through, in half of the processes
 * measured. Read by V8 each time it sets the limit, so it applies from the next collection.
 */
function collectForStreaming(): void {
  setFlagsFromString('--heap-growing-percent=300')
}

/** A verb: where it sits in the tree, its one-line summary, and how to load its definition. */
interface Verb {
  readonly path: readonly string[]
  readonly summary: string
  readonly load: () => Promise<ConfigureVerb>
  /** Runs for a long time (the server): keep V8's optimising compiler. */
  readonly longRunning?: boolean
  /** Left out of help: the shell completion's helper. */
  readonly hidden?: boolean
}

const GROUPS: Readonly<Record<string, string>> = {
  create: 'Create a resource from a file or from stdin',
  'create secret': 'Create a secret using specified subcommand',
  secrets: 'Manage secrets',
  set: 'Commands that help set specific features on objects',
  image: 'Useful commands for managing images',
  adm: 'Tools for managing a cluster',
  'adm prune': 'Remove older versions of resources from the server',
  registry: 'Commands for working with the registry',
  policy: 'Manage authorization policy',
  'adm policy': 'Manage cluster authorization and security policy',
}

/**
 * Longer help of verb groups, as oc's (openshift/oc pkg/cli/admin/admin.go, prune/prune.go,
 * admin/policy/policy.go, policy/policy.go).
 */
const GROUP_DESCRIPTIONS: Readonly<Record<string, string>> = {
  adm: 'Administrative Commands\n\nActions for administering a cluster are exposed here.',
  registry:
    'Manage the integrated registry\n\nThese commands help you work with the integrated registry of the server.',
  'adm prune':
    'Remove older versions of resources from the server\n\nThe commands here allow administrators to manage the older versions of resources on the system by removing them.',
  policy: 'Manage authorization policy',
  'adm policy':
    "Manage policy on the cluster\n\nThese commands allow you to assign and manage the roles and policies that apply to users.\n\nTo see more information on roles and bindings, use the 'get' and 'describe' commands on the following resources: 'clusterroles', 'clusterrolebindings', 'roles', and 'rolebindings'.",
}

const VERBS: readonly Verb[] = [
  {
    path: ['login'],
    summary: 'Log in to a server',
    load: async () => (await import('../cli/commands/login.js')).configureLogin,
  },
  {
    path: ['logout'],
    summary: 'End the current server session',
    load: async () => (await import('../cli/commands/logout.js')).configureLogout,
  },
  {
    path: ['whoami'],
    summary: 'Return information about the current session',
    load: async () => (await import('../cli/commands/whoami.js')).configureWhoami,
  },
  {
    path: ['project'],
    summary: 'Switch to another project',
    load: async () => (await import('../cli/commands/project.js')).configureProject,
  },
  {
    path: ['projects'],
    summary: 'Display existing projects',
    load: async () => (await import('../cli/commands/projects.js')).configureProjects,
  },
  {
    path: ['new-project'],
    summary: 'Request a new project',
    load: async () => (await import('../cli/commands/new-project.js')).configureNewProject,
  },
  {
    path: ['get'],
    summary: 'Display one or many resources',
    load: async () => (await import('../cli/commands/get.js')).configureGet,
  },
  {
    path: ['describe'],
    summary: 'Show details of a specific resource or group of resources',
    load: async () => (await import('../cli/commands/describe.js')).configureDescribe,
  },
  {
    path: ['delete'],
    summary: 'Delete resources by resource and names',
    load: async () => (await import('../cli/commands/delete.js')).configureDelete,
  },
  {
    path: ['apply'],
    summary: 'Apply a configuration to a resource by file name or stdin',
    load: async () => (await import('../cli/commands/apply.js')).configureApply,
  },
  {
    path: ['create'],
    summary: 'Create a resource from a file or from stdin',
    load: async () => (await import('../cli/commands/create.js')).configureCreate,
  },
  {
    path: ['replace'],
    summary: 'Replace a resource by file name or stdin',
    load: async () => (await import('../cli/commands/create.js')).configureReplace,
  },
  {
    path: ['patch'],
    summary: 'Update fields of a resource',
    load: async () => (await import('../cli/commands/patch.js')).configurePatch,
  },
  {
    path: ['label'],
    summary: 'Update the labels on a resource',
    load: async () => (await import('../cli/commands/label.js')).configureLabel,
  },
  {
    path: ['annotate'],
    summary: 'Update the annotations on a resource',
    load: async () => (await import('../cli/commands/label.js')).configureAnnotate,
  },
  {
    path: ['edit'],
    summary: 'Edit a resource on the server',
    load: async () => (await import('../cli/commands/edit.js')).configureEdit,
  },
  {
    path: ['api-resources'],
    summary: 'Print the supported API resources on the server',
    load: async () => (await import('../cli/commands/api-resources.js')).configureApiResources,
  },
  {
    path: ['explain'],
    summary: 'Get documentation for a resource',
    load: async () => (await import('../cli/commands/explain.js')).configureExplain,
  },
  {
    path: ['import-image'],
    summary: 'Import images from a container image registry',
    load: async () => (await import('../cli/commands/import-image.js')).configureImportImage,
  },
  {
    path: ['tag'],
    summary: 'Tag existing images into image streams',
    load: async () => (await import('../cli/commands/tag.js')).configureTag,
  },
  {
    path: ['create', 'imagestream'],
    summary: 'Create a new empty image stream',
    load: async () =>
      (await import('../cli/commands/create-imagestream.js')).configureCreateImageStream,
  },
  {
    path: ['create', 'imagestreamtag'],
    summary: 'Create a new image stream tag',
    load: async () =>
      (await import('../cli/commands/create-imagestream.js')).configureCreateImageStreamTag,
  },
  {
    path: ['set', 'image-lookup'],
    summary: 'Change how images are resolved when deploying applications',
    load: async () => (await import('../cli/commands/set-image-lookup.js')).configureSetImageLookup,
  },
  {
    path: ['create', 'secret', 'generic'],
    summary: 'Create a secret from a local file, directory, or literal value',
    load: async () =>
      (await import('../cli/commands/create-secret.js')).configureCreateSecretGeneric,
  },
  {
    path: ['create', 'secret', 'docker-registry'],
    summary: 'Create a secret for use with a container registry',
    load: async () =>
      (await import('../cli/commands/create-secret.js')).configureCreateSecretDockerRegistry,
  },
  {
    path: ['secrets', 'link'],
    summary: 'Link secrets to a service account',
    load: async () => (await import('../cli/commands/secrets-link.js')).configureSecretsLink,
  },
  {
    path: ['secrets', 'unlink'],
    summary: 'Detach secrets from a service account',
    load: async () => (await import('../cli/commands/secrets-link.js')).configureSecretsUnlink,
  },
  {
    path: ['image', 'info'],
    summary: 'Display information about an image',
    load: async () => {
      const { configureImageInfoCommand } = await import('../cli/commands/image-info.js')
      const { localAction } = await import('../cli/verb.js')
      return (cmd, ctx) =>
        localAction<ImageInfoFlags>(configureImageInfoCommand(cmd), ctx, async (ops, flags, io) => {
          const { executeImageInfo } = await import('./image-info.js')
          return executeImageInfo(ops, flags, io)
        })
    },
  },
  {
    path: ['registry', 'info'],
    summary: 'Print information about the integrated registry',
    load: async () => (await import('../cli/commands/registry.js')).configureRegistryInfo,
  },
  {
    path: ['registry', 'login'],
    summary: 'Log in to the integrated registry',
    load: async () => (await import('../cli/commands/registry.js')).configureRegistryLogin,
  },
  {
    path: ['adm', 'prune', 'images'],
    summary: 'Remove unreferenced images',
    load: async () => (await import('../cli/commands/prune-images.js')).configurePruneImages,
  },
  {
    path: ['policy', 'add-role-to-user'],
    summary: 'Add a role to users or service accounts for the current project',
    load: async () => (await import('../cli/commands/policy.js')).configureAddRoleToUser,
  },
  {
    path: ['policy', 'add-role-to-group'],
    summary: 'Add a role to groups for the project',
    load: async () => (await import('../cli/commands/policy.js')).configureAddRoleToGroup,
  },
  {
    path: ['policy', 'remove-role-from-user'],
    summary: 'Remove a role from users for the project',
    load: async () => (await import('../cli/commands/policy.js')).configureRemoveRoleFromUser,
  },
  {
    path: ['policy', 'remove-role-from-group'],
    summary: 'Remove a role from groups for the project',
    load: async () => (await import('../cli/commands/policy.js')).configureRemoveRoleFromGroup,
  },
  {
    path: ['policy', 'who-can'],
    summary: 'List who can perform the specified action on a resource',
    load: async () => (await import('../cli/commands/who-can.js')).configureWhoCan,
  },
  {
    path: ['adm', 'policy', 'who-can'],
    summary: 'List who can perform the specified action on a resource',
    load: async () => (await import('../cli/commands/who-can.js')).configureWhoCan,
  },
  {
    path: ['adm', 'policy', 'add-role-to-user'],
    summary: 'Add a role to users or service accounts for the current project',
    load: async () => (await import('../cli/commands/policy.js')).configureAdmAddRoleToUser,
  },
  {
    path: ['adm', 'policy', 'add-role-to-group'],
    summary: 'Add a role to groups for the project',
    load: async () => (await import('../cli/commands/policy.js')).configureAddRoleToGroup,
  },
  {
    path: ['adm', 'policy', 'remove-role-from-user'],
    summary: 'Remove a role from users for the project',
    load: async () => (await import('../cli/commands/policy.js')).configureRemoveRoleFromUser,
  },
  {
    path: ['adm', 'policy', 'remove-role-from-group'],
    summary: 'Remove a role from groups for the project',
    load: async () => (await import('../cli/commands/policy.js')).configureRemoveRoleFromGroup,
  },
  {
    path: ['adm', 'policy', 'add-cluster-role-to-user'],
    summary: 'Add a role to users for all projects in the cluster',
    load: async () => (await import('../cli/commands/policy.js')).configureAddClusterRoleToUser,
  },
  {
    path: ['adm', 'policy', 'add-cluster-role-to-group'],
    summary: 'Add a role to groups for all projects in the cluster',
    load: async () => (await import('../cli/commands/policy.js')).configureAddClusterRoleToGroup,
  },
  {
    path: ['adm', 'policy', 'remove-cluster-role-from-user'],
    summary: 'Remove a role from users for all projects in the cluster',
    load: async () =>
      (await import('../cli/commands/policy.js')).configureRemoveClusterRoleFromUser,
  },
  {
    path: ['adm', 'policy', 'remove-cluster-role-from-group'],
    summary: 'Remove a role from groups for all projects in the cluster',
    load: async () =>
      (await import('../cli/commands/policy.js')).configureRemoveClusterRoleFromGroup,
  },
  {
    path: ['completion'],
    summary: 'Output shell completion code for the specified shell (bash, zsh or fish)',
    load: async () => (await import('../cli/commands/completion.js')).configureCompletion,
  },
  {
    path: ['__complete'],
    summary: 'Request completion candidates',
    hidden: true,
    load: async () => (await import('../cli/commands/complete.js')).configureComplete(VERBS),
  },
  {
    path: ['options'],
    summary: 'Print the list of flags inherited by all commands',
    load: async () => (await import('../cli/commands/options.js')).configureOptions,
  },
  {
    path: ['version'],
    summary: 'Print the client and server version information',
    load: async () => (await import('../cli/commands/version.js')).configureVersion,
  },
  {
    path: ['serve'],
    summary: 'Run the image streams API server',
    longRunning: true,
    load: async () => {
      const { configureServeCommand } = await import('./serve-options.js')
      const { localAction } = await import('../cli/verb.js')
      return (cmd, ctx) =>
        // Runs until SIGTERM/SIGINT; the action resolves after a clean shutdown.
        localAction<ServeFlags>(configureServeCommand(cmd), ctx, async (_operands, flags, io) => {
          const { executeServe } = await import('./serve.js')
          return executeServe(flags, io)
        })
    },
  },
  {
    path: ['serve', 'migrate'],
    summary: 'Copy an SQLite store into an empty PostgreSQL store',
    load: async () => {
      const { configureServeMigrateCommand, executeServeMigrate } =
        await import('./serve-migrate.js')
      const { localAction } = await import('../cli/verb.js')
      return (cmd, ctx) =>
        localAction<ServeMigrateFlags>(
          configureServeMigrateCommand(cmd),
          ctx,
          (_operands, flags, io) => executeServeMigrate(flags, io),
        )
    },
  },
]

/** child returns the subcommand `name` of `parent`, declaring it on first use. */
function child(
  parent: Command,
  name: string,
  summary: string,
  description = '',
  hidden = false,
): Command {
  const found = parent.commands.find((c) => c.name() === name)
  if (found) return found
  const cmd = parent.command(name, { hidden }).summary(summary).description(description)
  reportLikeCobra(cmd)
  return cmd
}

async function buildProgram(args: readonly string[], ctx: VerbContext): Promise<Command> {
  const program = new Command('isctl')
    .description(
      'isctl manages image streams: imports from container registries, tags and pruning, as oc does on OpenShift.',
    )
    .addHelpText('afterAll', `\n${GLOBAL_OPTIONS_TIP}`)
  let selectedCommand: Command | undefined
  reportLikeCobra(program, () => selectedCommand ?? program)
  const selected = selectVerb(
    args,
    VERBS.map((v) => v.path),
  )
  for (const verb of VERBS) {
    let parent = program
    verb.path.slice(0, -1).forEach((word, i) => {
      const group = verb.path.slice(0, i + 1).join(' ')
      parent = child(parent, word, GROUPS[group] ?? '', GROUP_DESCRIPTIONS[group])
    })
    const cmd = child(parent, verb.path.at(-1)!, verb.summary, '', verb.hidden)
    if (verb.path === selected) {
      if (verb.longRunning) collectForStreaming()
      else compileForShortRun()
      ;(await verb.load())(cmd, ctx)
      selectedCommand = cmd
    }
  }
  // After the verb's own flags: a verb's flag of the same name shadows the global one.
  addGlobalOptions(program, selectedCommand)
  return program
}

const args = process.argv.slice(2)
const context: VerbContext = {
  io: processIO(),
  setExitCode: (code) => (process.exitCode = code),
}
// A promise chain, not top-level await: the published binary is this module bundled as CommonJS.
void buildProgram(args, context)
  .then((program) => program.parseAsync(process.argv))
  // The work is done and its output written (stdout and stderr are synchronous for files, pipes
  // and terminals on Linux): exit now rather than wait for closing sockets and unref'd timers,
  // which measurably added 60-80 ms to every run.
  .then(() => process.exit())
