/**
 * The installed `isctl` runs its bundle through a V8 code cache per verb, kept in the user's
 * cache directory: written by a verb's first run, used (and left alone) by the next, and never
 * in the way when it cannot be written.
 */
import assert from 'node:assert/strict'
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { isctl, makeTempDir, removeTempDir } from '../harness/index.js'

describe('isctl code cache', () => {
  let home: string
  before(() => {
    home = makeTempDir('isctl-launcher')
  })
  after(() => removeTempDir(home))

  const cacheFiles = () => {
    const root = join(home, '.cache', 'imagestreams')
    return readdirSync(root).flatMap((d) => readdirSync(join(root, d)).map((f) => join(root, d, f)))
  }

  it('writes a verb’s cache on its first run and runs from it, unchanged, on the next', async () => {
    const first = await isctl(['version', '--client'], { home })
    assert.equal(first.code, 0, first.stderr)
    const [file, ...others] = cacheFiles()
    assert.deepEqual(others, [])
    assert.match(file ?? '', /isctl-[0-9a-f]{16}\/version\.v8$/)
    const written = statSync(file!)
    const second = await isctl(['version', '--client'], { home })
    assert.equal(second.code, 0, second.stderr)
    assert.equal(second.stdout, first.stdout)
    // A cache V8 rejected would be written again as the run exits.
    assert.equal(statSync(file!).mtimeMs, written.mtimeMs)
  })

  it('keeps one cache per verb, global flags before it or not', async () => {
    const help = await isctl(['image', 'info', '--help'], { home })
    assert.equal(help.code, 0, help.stderr)
    assert.ok(cacheFiles().some((f) => f.endsWith('/image.v8')))
    const flagged = await isctl(['-n', 'team-a', 'version', '--client'], { home })
    assert.equal(flagged.code, 0, flagged.stderr)
    assert.ok(!cacheFiles().some((f) => f.endsWith('/team-a.v8')), 'a flag value named a cache')
  })

  it('removes the caches of other builds when it writes one', async () => {
    const fresh = makeTempDir('isctl-launcher-upgrade')
    try {
      const stale = join(fresh, '.cache', 'imagestreams', 'isctl-0000000000000000')
      mkdirSync(stale, { recursive: true })
      writeFileSync(join(stale, 'version.v8'), 'from an older build')
      const result = await isctl(['version', '--client'], { home: fresh })
      assert.equal(result.code, 0, result.stderr)
      const dirs = readdirSync(join(fresh, '.cache', 'imagestreams'))
      assert.equal(dirs.length, 1)
      assert.match(dirs[0]!, /^isctl-[0-9a-f]{16}$/)
      assert.notEqual(dirs[0], 'isctl-0000000000000000')
    } finally {
      await removeTempDir(fresh)
    }
  })

  it('runs without a cache where none can be written', async () => {
    const blocked = join(home, 'not-a-directory')
    writeFileSync(blocked, '')
    const result = await isctl(['version', '--client'], { home, env: { XDG_CACHE_HOME: blocked } })
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^Client Version: /)
  })
})
