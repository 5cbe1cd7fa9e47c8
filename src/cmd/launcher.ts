#!/usr/bin/env node
/**
 * The installed `isctl` (dist/cmd/isctl.cjs): runs the bundled CLI, dist/cmd/isctl-main.cjs,
 * through a V8 code cache kept per verb in the user's cache directory, so that a run compiles
 * almost nothing: 47 ms of a 281 ms `isctl image info` measured. A verb's first run writes its
 * cache; the directory is named after the bundles' hash, so an upgrade never meets an old cache
 * (V8 itself checks only the source's length), and the first cache written removes the others.
 * `serve` runs the same way from its own bundle, dist/cmd/isctl-serve.cjs: tsc's build of the
 * same entry point with every package in it but better-sqlite3, so that a start of the server
 * compiles almost nothing either (V8 compiling its ~6 MB was ~30% of the CPU time to /readyz).
 * It is a bundle of its own because the one above leaves the server out (./serve.js), which
 * no other verb needs.
 * Built by scripts/bundle-cli.ts, which defines BUNDLE_HASH.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire, wrap } from 'node:module'
import { homedir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { Script } from 'node:vm'
import { leadingWords } from '../cli/select-verb.js'

declare const BUNDLE_HASH: string

/** The CommonJS wrapper's parameters, as Node's loader passes them. */
type ModuleWrapper = (
  exports: unknown,
  require: NodeJS.Require,
  module: { exports: unknown },
  filename: string,
  dirname: string,
) => void

const args = process.argv.slice(2)
const [word, second] = leadingWords(args)

// The bundle sets one of these flags as the verb starts (`--heap-growing-percent` for the
// server, `--liftoff-only` for the others), and V8 accepts a cache only under the flags it was
// made with: set before compiling, they match when the cache is written at exit.
if (word === 'serve' && second !== 'migrate') {
  setFlagsFromString('--heap-growing-percent=300')
  runCached(join(__dirname, 'isctl-serve.cjs'), 'serve')
} else if (word === 'serve') {
  setFlagsFromString('--liftoff-only')
  runCached(join(__dirname, 'isctl-serve.cjs'), 'serve-migrate')
} else {
  setFlagsFromString('--liftoff-only')
  // The verb names a file: anything else a user typed there does not.
  runCached(
    join(__dirname, 'isctl-main.cjs'),
    word !== undefined && /^[a-z][a-z-]*$/.test(word) ? word : 'isctl',
  )
}

/** runCached runs the bundle `main` through the code cache kept for `verb`. */
function runCached(main: string, verb: string): void {
  const source = readFileSync(main, 'utf8').replace(/^#!/, '//')
  const dir = join(
    process.env.XDG_CACHE_HOME || join(homedir(), '.cache'),
    'imagestreams',
    `isctl-${BUNDLE_HASH}`,
  )
  const file = join(dir, `${verb}.v8`)
  let cachedData: Buffer | undefined
  try {
    cachedData = readFileSync(file)
  } catch {
    // This verb's first run: the cache is written as it exits.
  }
  const script = new Script(wrap(source), { filename: main, ...(cachedData && { cachedData }) })
  if (cachedData === undefined || script.cachedDataRejected === true) {
    process.once('exit', () => writeCache(dir, file, script.createCachedData()))
  }
  const wrapper = script.runInThisContext() as ModuleWrapper
  const module = { exports: {} }
  wrapper.call(module.exports, module.exports, createRequire(main), module, main, __dirname)
}

/**
 * writeCache stores `data` atomically, and removes the caches of other builds (an upgrade leaves
 * them behind); a cache that cannot be written only costs speed.
 */
function writeCache(dir: string, file: string, data: Buffer): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const tmp = `${file}.${process.pid}`
    writeFileSync(tmp, data, { mode: 0o600 })
    renameSync(tmp, file)
    const parent = dirname(dir)
    for (const other of readdirSync(parent)) {
      if (other.startsWith('isctl-') && other !== basename(dir)) {
        rmSync(join(parent, other), { recursive: true, force: true })
      }
    }
  } catch {
    // A read-only or full home: run without a cache.
  }
}
