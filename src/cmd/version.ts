/** `isctl version`: the client version from package.json. */
import { readFileSync } from 'node:fs'
import type { TextSink } from '../cli/io.js'

/** packageVersion reads package.json two levels up, which is the package root from src/cmd and dist/cmd alike. */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8')
  const { version } = JSON.parse(text) as { version?: unknown }
  return typeof version === 'string' ? version : 'unknown'
}

/** runVersion prints `isctl v<version>`; resolves to the exit code. */
export function runVersion(io: { readonly stdout: TextSink }): number {
  io.stdout.write(`isctl v${packageVersion()}\n`)
  return 0
}
