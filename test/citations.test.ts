/**
 * The repository explains itself: comments under src/ cite its own docs/ pages or upstream
 * sources, never documents a maintainer of this repository cannot open, and every
 * `docs/<page>.md#<anchor>` they cite names a heading that exists.
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Names of the design studies and trackers that lived outside the repository. */
const OUTSIDE =
  /\.\.\/shared|SPEC\b|DESIGN\.md|kubectl-compat|registry-client\.md|registry-observed|openshift-imagestreams\.md|reference section|[Ii]ssue [0-9]+/

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return files(path)
    return /\.(ts|yaml|json|md)$/.test(e.name) ? [path] : []
  })
}

/** GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces to dashes. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-')
}

function anchorsOf(page: string): Set<string> {
  const text = readFileSync(page, 'utf8')
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)))
}

describe('citations (docs/architecture.md#documentation)', () => {
  const sources = files(join(ROOT, 'src'))

  it('no file under src/ cites a document outside the repository or an issue number', () => {
    const offenders = sources
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .map((line, i) => ({ line, at: `${relative(ROOT, f)}:${i + 1}` })),
      )
      .filter(({ line }) => OUTSIDE.test(line))
      .map(({ at, line }) => `${at}: ${line.trim()}`)
    assert.deepEqual(offenders, [])
  })

  it('every docs/ page and anchor cited from src/, test/ and the README exists', () => {
    const citing = [...sources, ...files(join(ROOT, 'test')), join(ROOT, 'README.md')]
    const anchors = new Map<string, Set<string>>()
    const broken: string[] = []
    for (const f of citing) {
      for (const m of readFileSync(f, 'utf8').matchAll(/docs\/([\w-]+\.md)(?:#([\w-]+))?/g)) {
        const page = join(ROOT, 'docs', m[1]!)
        if (!existsSync(page)) {
          broken.push(`${relative(ROOT, f)}: ${m[0]}`)
          continue
        }
        if (m[2] === undefined) continue
        if (!anchors.has(page)) anchors.set(page, anchorsOf(page))
        if (!anchors.get(page)!.has(m[2])) broken.push(`${relative(ROOT, f)}: ${m[0]}`)
      }
    }
    assert.ok(anchors.size > 0, 'src/ cites at least one docs/ anchor')
    assert.deepEqual(broken, [])
  })
})
