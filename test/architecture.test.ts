/**
 * Enforces the dependency direction of docs/architecture.md#dependency-direction by reading every
 * import in src/: a layer may only import the layers listed for it, so the rule holds without a
 * reviewer remembering it.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src')

/** Which top-level folders of src/ each folder may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  lib: [],
  reference: [],
  credentials: ['reference'],
  registry: ['reference', 'credentials', 'lib'],
  api: ['reference', 'lib'],
  importer: ['registry', 'credentials', 'reference', 'api', 'lib'],
  storage: ['api', 'lib'],
  scheduler: [
    'pruner',
    'storage',
    'importer',
    'registry',
    'credentials',
    'reference',
    'api',
    'lib',
  ],
  pruner: ['api', 'reference', 'lib'],
  server: [
    'scheduler',
    'storage',
    'importer',
    'registry',
    'credentials',
    'reference',
    'api',
    'lib',
  ],
  distribution: ['storage', 'registry', 'credentials', 'reference', 'api', 'lib'],
  cli: ['pruner', 'api', 'reference', 'lib'],
  console: ['api', 'reference'],
  cmd: ['*'],
}

/** Packages that only the HTTP edge may load. */
const EDGE_PACKAGES: Record<string, readonly string[]> = {
  fastify: ['server', 'distribution', 'cmd'],
  'better-sqlite3': ['storage', 'cmd'],
  pg: ['storage', 'cmd'],
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return sourceFiles(path)
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.test.ts') ? [path] : []
  })
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)]
  return specifiers.map((m) => m[1]!)
}

/** Test support: a testing/ folder anywhere under src/, loaded only by *.test.ts files. */
function isTestSupport(file: string): boolean {
  return relative(SRC, file).split(sep).slice(0, -1).includes('testing')
}

/** Every relative import of `files` as [importing file, imported file]. */
function importEdges(files: readonly string[]): [string, string][] {
  return files.flatMap((file) =>
    importsOf(file)
      .filter((s) => s.startsWith('.'))
      .map((s): [string, string] => [file, resolve(dirname(file), s)]),
  )
}

function formatEdge([from, to]: [string, string]): string {
  return `${relative(SRC, from)} imports ${relative(SRC, to)}`
}

function layerOf(file: string): string {
  return relative(SRC, file).split(sep)[0]!
}

describe('dependency direction (docs/architecture.md)', () => {
  const files = sourceFiles(SRC)

  it('finds the source tree', () => {
    assert.ok(files.length > 10, `only ${files.length} source files under ${SRC}`)
  })

  it('every folder of src/ has a rule', () => {
    const layers = new Set(files.map(layerOf).filter((l) => !l.endsWith('.ts')))
    for (const layer of layers) assert.ok(layer in ALLOWED, `src/${layer} has no rule`)
  })

  it('no layer imports a layer it may not', () => {
    const violations: string[] = []
    for (const file of files) {
      const from = layerOf(file)
      const allowed = ALLOWED[from] ?? []
      for (const spec of importsOf(file)) {
        if (spec.startsWith('.')) {
          const to = layerOf(resolve(dirname(file), spec))
          if (to !== from && !allowed.includes('*') && !allowed.includes(to)) {
            violations.push(`${relative(SRC, file)} imports ${spec} (${from} -> ${to})`)
          }
        } else {
          const pkg = spec.startsWith('@')
            ? spec.split('/').slice(0, 2).join('/')
            : spec.split('/')[0]!
          const owners = EDGE_PACKAGES[pkg]
          if (owners && !owners.includes(from)) {
            violations.push(`${relative(SRC, file)} imports package ${pkg}`)
          }
        }
      }
    }
    assert.deepEqual(violations, [])
  })

  it('only cmd picks a store backend', () => {
    // The Store interface lives in storage/index.ts and store.ts; a backend is any sub-folder
    // of storage/ other than testing/, and choosing one is the composition root's job.
    const backendOf = (file: string): string | undefined => {
      const parts = relative(SRC, file).split(sep)
      const inSubFolder = parts[0] === 'storage' && parts.length > 2 && parts[1] !== 'testing'
      return inSubFolder ? parts[1] : undefined
    }
    const offenders = importEdges(files).filter(
      ([from, to]) =>
        backendOf(to) !== undefined &&
        backendOf(to) !== backendOf(from) &&
        layerOf(from) !== 'cmd' &&
        !isTestSupport(from),
    )
    assert.deepEqual(offenders.map(formatEdge), [])
  })

  it('only tests import a testing/ folder', () => {
    const offenders = importEdges(files).filter(
      ([from, to]) => isTestSupport(to) && !isTestSupport(from),
    )
    assert.deepEqual(offenders.map(formatEdge), [])
  })

  it('the console loads only the plain modules of api/, never a TypeBox schema', () => {
    // The console runs in the browser: what it imports is bundled into its first load.
    // cli-messages.ts holds the CLI's refusals the console's forms repeat word for word.
    const plain = new Set(['constants.ts', 'names.ts', 'cli-messages.ts'])
    const offenders = importEdges(files).filter(
      ([from, to]) =>
        layerOf(from) === 'console' &&
        layerOf(to) === 'api' &&
        !plain.has(relative(join(SRC, 'api'), to).replace(/\.js$/, '.ts')),
    )
    assert.deepEqual(offenders.map(formatEdge), [])
  })

  it('nothing imports cmd/', () => {
    const offenders = files.filter(
      (f) =>
        layerOf(f) !== 'cmd' &&
        importsOf(f).some((s) => s.startsWith('.') && layerOf(resolve(dirname(f), s)) === 'cmd'),
    )
    assert.deepEqual(offenders, [])
  })
})
