#!/usr/bin/env node
/**
 * The `isctl` binary: the verb tree and its flags. Each verb's implementation is imported
 * inside its action, so `isctl --help` or `isctl version` never loads undici or the registry
 * client; start-up time is measured against `node -e ''`.
 */
import { Command } from 'commander'
import { configureImageInfoCommand, type ImageInfoFlags } from '../cli/commands/image-info.js'
import type { CommandIO } from '../cli/io.js'

function processIO(): CommandIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    now: () => new Date(),
  }
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
      const { executeImageInfo } = await import('./image-info.js')
      process.exitCode = await executeImageInfo(operands, flags, processIO())
    },
  )
  return program
}

await buildProgram().parseAsync(process.argv)
