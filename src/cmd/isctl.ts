#!/usr/bin/env node
/**
 * The `isctl` binary: the verb tree and its flags. Each verb's implementation is imported
 * inside its action, so `isctl --help` or `isctl version` never loads undici or the registry
 * client; start-up time is measured against `node -e ''`.
 */
import { setFlagsFromString } from 'node:v8'
import { Command } from 'commander'
import { configureImageInfoCommand, type ImageInfoFlags } from '../cli/commands/image-info.js'
import type { CommandIO } from '../cli/io.js'
import { configureServeCommand, type ServeFlags } from './serve-options.js'

function processIO(): CommandIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    now: () => new Date(),
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

function buildProgram(): Command {
  const program = new Command('isctl')
    .description(
      'isctl manages image streams: imports from container registries, tags and pruning, as oc does on OpenShift.',
    )
    .showHelpAfterError('(run with --help for usage)')

  program
    .command('version')
    .description('Print the client version')
    .action(async () => {
      const { runVersion } = await import('./version.js')
      process.exitCode = runVersion(processIO())
    })

  const image = program.command('image').description('Useful commands for managing images')
  configureImageInfoCommand(image.command('info')).action(
    async (operands: string[], flags: ImageInfoFlags) => {
      compileForShortRun()
      const { executeImageInfo } = await import('./image-info.js')
      process.exitCode = await executeImageInfo(operands, flags, processIO())
    },
  )

  // Runs until SIGTERM/SIGINT; the action resolves after a clean shutdown.
  configureServeCommand(program.command('serve')).action(async (flags: ServeFlags) => {
    const { executeServe } = await import('./serve.js')
    process.exitCode = await executeServe(flags, processIO())
  })
  return program
}

await buildProgram().parseAsync(process.argv)
// The work is done and its output written (stdout and stderr are synchronous for files, pipes
// and terminals on Linux): exit now rather than wait for closing sockets and unref'd timers,
// which measurably added 60-80 ms to every run.
process.exit()
