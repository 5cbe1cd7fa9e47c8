#!/usr/bin/env node
/**
 * The installed `isctl` (dist/cmd/isctl.cjs): runs the bundled CLI, dist/cmd/isctl-main.cjs,
 * through a V8 code cache kept per verb in the user's cache directory, so that a run compiles
 * almost nothing: 47 ms of a 281 ms `isctl image info` measured. A verb's first run writes its
 * cache; the directory is named after the bundle's hash, so an upgrade never meets an old cache
 * (V8 itself checks only the source's length), and the first cache written removes the others.
 * `serve` runs tsc's build of the same entry point bundled as one ES module,
 * dist/cmd/isctl-serve.mjs: the server is an ES module graph, which a vm script cannot import,
 * it runs too long for compiling to matter, and the CommonJS bundle beside those modules would
 * hold a second copy of what they share (6-9 MB of a 115 MB idle server).
 * Built by scripts/bundle-cli.ts, which defines BUNDLE_HASH.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire, wrap } from 'node:module'
import { homedir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
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

const MAIN = join(__dirname, 'isctl-main.cjs')
const args = process.argv.slice(2)
const [word] = leadingWords(args)

if (word === 'serve') {
  void import(pathToFileURL(join(__dirname, 'isctl-serve.mjs')).href)
} else {
  runCached()
}

function runCached(): void {
  // The bundle sets this for every verb but serve, and V8 accepts a cache only under the flags
  // it was made with: set before compiling, it matches when the cache is written at exit.
  setFlagsFromString('--liftoff-only')
  const source = readFileSync(MAIN, 'utf8').replace(/^#!/, '//')
  // The verb names a file: anything else a user typed there does not.
  const verb = word !== undefined && /^[a-z][a-z-]*$/.test(word) ? word : 'isctl'
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
  const script = new Script(wrap(source), { filename: MAIN, ...(cachedData && { cachedData }) })
  if (cachedData === undefined || script.cachedDataRejected === true) {
    process.once('exit', () => writeCache(dir, file, script.createCachedData()))
  }
  const wrapper = script.runInThisContext() as ModuleWrapper
  const module = { exports: {} }
  wrapper.call(module.exports, module.exports, createRequire(MAIN), module, MAIN, __dirname)
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
