import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { apr1, bcryptRounds, parseHtpasswd, verifyPassword } from './htpasswd.js'

const dir = mkdtempSync(join(tmpdir(), 'imagestreams-htpasswd-'))
after(() => rmSync(dir, { recursive: true, force: true }))

/** entry runs the real `htpasswd` (apache2-utils) with `flags` and returns the line it wrote. */
function entry(flags: string, user: string, password: string): string {
  const file = join(dir, `${user}-${flags}`)
  execFileSync('htpasswd', ['-c', '-b', flags, file, user, password], { stdio: 'ignore' })
  return readFileSync(file, 'utf8').trim()
}

describe('parseHtpasswd and verifyPassword with entries the real htpasswd writes', () => {
  const table = [
    { flags: '-B', scheme: 'bcrypt', user: 'alice', password: 'wonder land' },
    { flags: '-B', scheme: 'bcrypt', user: 'ünïcode', password: 'pässwörd' },
    { flags: '-s', scheme: 'sha1', user: 'bob', password: 's3cret:with:colons' },
    {
      flags: '-m',
      scheme: 'apr1',
      user: 'carol',
      password: 'a long passphrase of more than 16 bytes',
    },
    { flags: '-m', scheme: 'apr1', user: 'dan', password: '' },
  ] as const
  for (const t of table) {
    it(`htpasswd ${t.flags} (${t.scheme}) for ${t.user}: the right password only`, async () => {
      const line = entry(t.flags, t.user, t.password)
      const parsed = parseHtpasswd(`${line}\n`)
      assert.deepEqual(parsed.problems, [])
      const e = parsed.users.get(t.user)
      assert.equal(e?.scheme, t.scheme)
      assert.equal(await verifyPassword(e, t.password, 5), true)
      assert.equal(await verifyPassword(e, `${t.password}x`, 5), false)
      assert.equal(await verifyPassword(e, t.password.toUpperCase() + 'Z', 5), false)
    })
  }

  it('apr1 reproduces the hash htpasswd -m wrote', () => {
    const line = entry('-m', 'erin', 'pw')
    const hash = line.slice('erin:'.length)
    assert.equal(apr1('pw', hash.split('$')[2]!), hash)
  })

  it('an unknown user never verifies, with or without a password', async () => {
    assert.equal(await verifyPassword(undefined, '', 5), false)
    assert.equal(await verifyPassword(undefined, 'anything', 5), false)
  })

  it('refuses crypt and plain-text entries, naming the user and the line', () => {
    const crypt = entry('-d', 'frank', 'pw')
    const plain = 'grace:pw'
    const good = entry('-B', 'heidi', 'pw')
    const parsed = parseHtpasswd(`# users\n\n${crypt}\n${plain}\n${good}\n`)
    assert.deepEqual([...parsed.users.keys()], ['heidi'])
    assert.deepEqual(
      parsed.problems.map((p) => [p.line, p.user, p.reason, p.malformed]),
      [
        [3, 'frank', 'crypt hashes are not supported: use bcrypt (htpasswd -B)', false],
        [4, 'grace', 'unknown hash format (plain text?): use bcrypt (htpasswd -B)', false],
      ],
    )
  })

  it('a line that is not user:hash is malformed (a half-written file)', () => {
    const good = entry('-B', 'ivan', 'pw')
    const parsed = parseHtpasswd(`${good}\n$2y$05$abc\n`)
    assert.deepEqual(parsed.problems, [
      { line: 2, reason: 'the line is not "user:hash"', malformed: true },
    ])
  })

  it('a later line for the same user replaces the earlier one, as in OpenShift', async () => {
    const first = entry('-B', 'judy', 'one')
    const second = entry('-s', 'judy', 'two')
    const e = parseHtpasswd(`${first}\r\n${second}\r\n`).users.get('judy')
    assert.equal(e?.line, 2)
    assert.equal(await verifyPassword(e, 'two', 5), true)
    assert.equal(await verifyPassword(e, 'one', 5), false)
  })

  it('bcryptRounds reads the cost htpasswd chose', () => {
    const line = entry('-B', 'ken', 'pw')
    assert.equal(bcryptRounds(line.slice('ken:'.length)), 5)
  })
})
