/**
 * Python's official Kubernetes client (Debian's python3-kubernetes) as a second API client in
 * the end-to-end suites: a test passes a script that uses the `kubernetes` package, and the
 * script finds the server through KUBECONFIG, as a Python user's program would.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  CommandError,
  makeTempDir,
  removeTempDir,
  runCommand,
  type CommandResult,
} from './process.js'

// Debian's interpreter: the one python3-kubernetes installs into (a python3 earlier on PATH,
// such as pyenv's, would not see it).
const PYTHON = '/usr/bin/python3'

/**
 * python runs `script` with python3 against the server of `kubeconfig`; it never throws on the
 * exit code, so a test can assert on a failure's output. `args` are passed as sys.argv[1:].
 */
export async function python(
  script: string,
  opts: { kubeconfig: string; args?: readonly string[] },
): Promise<CommandResult> {
  const dir = makeTempDir('python-client')
  try {
    const file = join(dir, 'script.py')
    writeFileSync(file, script)
    return await runCommand(PYTHON, [file, ...(opts.args ?? [])], {
      env: { PATH: process.env.PATH, HOME: dir, KUBECONFIG: opts.kubeconfig },
    })
  } catch (err) {
    if (err instanceof CommandError) return err.result
    throw err
  } finally {
    await removeTempDir(dir)
  }
}
