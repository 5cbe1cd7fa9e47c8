import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '../..')
const run = promisify(execFile)
const VERSION = (
  JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string }
).version
// No kubeconfig: `version` prints the client only, whatever the machine's ~/.kube holds.
const HOME = mkdtempSync(join(tmpdir(), 'imagestreams-isctl-'))
after(() => rmSync(HOME, { recursive: true, force: true }))

/** Modules loaded eagerly from `file`: static value imports and re-exports, followed through relative paths. */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen
  seen.add(file)
  const source = readFileSync(file, 'utf8')
  // `import type` is erased; `await import()` is lazy; both are what keeps start-up cheap.
  // Re-exports load their module as imports do.
  for (const m of source.matchAll(/^(?:import|export)\s+(?!type\s)[^'"]*?from\s+'([^']+)'/gm)) {
    const spec = m[1] ?? ''
    if (spec.startsWith('.'))
      staticClosure(resolve(dirname(file), spec.replace(/\.js$/, '.ts')), seen)
    else seen.add(spec)
  }
  return seen
}

void describe('isctl entry point', () => {
  void it('loads no registry, credentials or undici code before a verb runs', () => {
    const loaded = [...staticClosure(resolve(here, 'isctl.ts'))].map((p) => p.replace(root, ''))
    const heavy = loaded.filter((p) => /^\/src\/(registry|credentials)\/|^undici/.test(p))
    assert.deepEqual(heavy, [])
    assert.ok(loaded.includes('commander'))
  })

  void it('loads neither typebox nor undici with a client verb, before it opens a session', () => {
    const commands = resolve(root, 'src', 'cli', 'commands')
    for (const file of readdirSync(commands).filter((f) => !f.endsWith('.test.ts'))) {
      const loaded = [...staticClosure(join(commands, file))]
      // Loading typebox alone takes 150-250 ms on this machine; undici loads with the session.
      assert.deepEqual(
        loaded.filter((p) => /^(typebox|undici)/.test(p)),
        [],
        file,
      )
    }
  })

  const cases: { args: string[]; code: number; stdout?: RegExp; stderr?: RegExp }[] = [
    {
      args: ['version'],
      code: 0,
      stdout: new RegExp(
        `^Client Version: ${VERSION.replace(/\./g, '\\.')}\nClient Path: ${join(here, 'isctl.ts')}\n$`,
      ),
    },
    {
      args: ['version', '--client', '-o', 'json'],
      code: 0,
      stdout: new RegExp(
        `^{\n  "clientVersion": {\n[^]*"gitVersion": "${VERSION.replace(/\./g, '\\.')}"`,
      ),
    },
    {
      args: ['version', '--kubeconfig', '/nonexistent/config'],
      code: 1,
      stderr: /^error: stat \/nonexistent\/config: no such file or directory\n$/,
    },
    {
      args: ['image', 'info', '--help'],
      code: 0,
      stdout: /^Usage: isctl image info \[options\] \[IMAGE\.\.\.\]/,
    },
    {
      args: ['image', 'info'],
      code: 1,
      stderr: /^error: info expects at least one argument, an image pull spec\n$/,
    },
    {
      args: ['adm', '-h'],
      code: 0,
      stdout:
        /^Usage: isctl adm \[options\] \[command\]\n\nAdministrative Commands\n[^]*\n {2}prune +Remove older versions of resources from the server\n/,
    },
    {
      args: ['adm', 'prune', '--help'],
      code: 0,
      stdout:
        /^Usage: isctl adm prune \[options\] \[command\]\n[^]*\n {2}images +Remove unreferenced images\n/,
    },
    {
      args: ['adm', 'prune', 'images', '--help'],
      code: 0,
      stdout: /^Usage: isctl adm prune images \[options\]\n[^]*--keep-tag-revisions <n>/,
    },
    // Flags are checked before any server is needed (there is no kubeconfig here).
    {
      args: ['adm', 'prune', 'images', 'extra'],
      code: 1,
      stderr:
        /^error: no arguments are allowed to this command\nSee 'isctl adm prune images -h' for help and examples\n$/,
    },
    {
      args: ['options'],
      code: 0,
      stdout:
        /^The following options can be passed to any command:\n\n {4}-n, --namespace='':\n\tIf present[^]*\n {4}--as-group=\[\]:\n[^]*\n {4}-v, --v=0:\n/,
    },
    {
      args: ['get', '--help'],
      code: 0,
      stdout:
        /\nUse "isctl options" for a list of global command-line options \(applies to all commands\)\.\n$/,
    },
    // Parse errors in pflag's and cobra's words, global flags anywhere on the line.
    {
      args: ['get', 'is', '--bogus'],
      code: 1,
      stderr: /^Error: unknown flag: --bogus\nSee 'isctl get --help' for usage\.\n$/,
    },
    {
      args: ['get', 'is', '-x'],
      code: 1,
      stderr: /^Error: unknown shorthand flag: 'x' in -x\nSee 'isctl get --help' for usage\.\n$/,
    },
    {
      args: ['get', 'is', '--token'],
      code: 1,
      stderr: /^Error: flag needs an argument: --token\nSee 'isctl get --help' for usage\.\n$/,
    },
    {
      args: ['get', 'is', '-v=abc'],
      code: 1,
      stderr:
        /^Error: invalid argument "abc" for "-v, --v" flag: strconv\.ParseInt: parsing "abc": invalid syntax\nSee 'isctl get --help' for usage\.\n$/,
    },
    {
      args: ['--insecure-skip-tls-verify=maybe', 'version'],
      code: 1,
      stderr: /^Error: invalid argument "maybe" for "--insecure-skip-tls-verify" flag: /,
    },
    {
      args: ['logz'],
      code: 1,
      stderr: /^Error: unknown command "logz" for "isctl"\n\nDid you mean this\?\n\tlogs?\w*\n/,
    },
    {
      args: ['get', 'is', '--as-group', 'devs', '--server', 'https://127.0.0.1:1'],
      code: 1,
      stderr: /^error: requesting uid, groups or user-extra for {2}without impersonating a user\n$/,
    },
    {
      args: [
        '--server=127.0.0.1:1',
        'get',
        'is',
        '--insecure-skip-tls-verify',
        '--certificate-authority=/ca',
      ],
      code: 1,
      stderr:
        /^error: specifying a root certificates file with the insecure flag is not allowed\n$/,
    },
    {
      args: ['adm', 'prune', 'images', '--keep-younger-than=-1m'],
      code: 1,
      stderr: /^error: --keep-younger-than must be greater than or equal to 0\n$/,
    },
  ]
  for (const c of cases) {
    void it(`isctl ${c.args.join(' ')} exits ${c.code}`, async () => {
      const result = await run(
        process.execPath,
        ['--import', 'tsx', resolve(here, 'isctl.ts'), ...c.args],
        { cwd: root, env: { PATH: process.env.PATH, HOME } },
      ).then(
        (r) => ({ ...r, code: 0 }),
        (err: { code: number; stdout: string; stderr: string }) => err,
      )
      assert.equal(result.code, c.code, result.stderr)
      if (c.stdout) assert.match(result.stdout, c.stdout)
      if (c.stderr) assert.match(result.stderr, c.stderr)
    })
  }
})
