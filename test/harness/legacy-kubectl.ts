/**
 * Debian's kubectl 1.20 (package kubernetes-client), for the cases where an older client sends
 * different requests than 1.32 (no Content-Type on create, OpenAPI v2 for explain). Its package
 * would replace the preinstalled /usr/bin/kubectl, so it is unpacked with `apt-get download` and
 * `dpkg-deb -x` into the repository's `.cache/` instead of being installed.
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeTempDir, removeTempDir, runCommand } from './process.js'

const CACHE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.cache', 'kubectl-1.20')

/** LEGACY_KUBECTL is where legacyKubectl() leaves the binary. */
export const LEGACY_KUBECTL = join(CACHE, 'usr', 'bin', 'kubectl')

/**
 * legacyKubectl returns the path of Debian's kubectl 1.20, unpacking it on first use. Parallel
 * test files may race: each unpacks into its own folder and one rename wins.
 */
export async function legacyKubectl(): Promise<string> {
  if (existsSync(LEGACY_KUBECTL)) return LEGACY_KUBECTL
  const work = makeTempDir('legacy-kubectl')
  try {
    await runCommand('apt-get', ['download', 'kubernetes-client'], { cwd: work }).catch(
      (err: unknown) => {
        throw new Error(
          `cannot download Debian's kubernetes-client (run 'apt-get update' first): ${String(err)}`,
        )
      },
    )
    const { stdout } = await runCommand('sh', ['-c', 'ls kubernetes-client_*.deb'], { cwd: work })
    const tree = join(work, 'tree')
    await runCommand('dpkg-deb', ['-x', join(work, stdout.trim()), tree])
    mkdirSync(dirname(CACHE), { recursive: true })
    try {
      renameSync(tree, CACHE)
    } catch (err) {
      if (!existsSync(LEGACY_KUBECTL)) throw err
    }
  } finally {
    await removeTempDir(work)
  }
  const { stdout } = await runCommand(LEGACY_KUBECTL, ['version', '--client', '--short'])
  if (!stdout.includes('v1.20')) throw new Error(`${LEGACY_KUBECTL} is not kubectl 1.20: ${stdout}`)
  return LEGACY_KUBECTL
}
