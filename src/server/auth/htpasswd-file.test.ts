import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { pollUntil } from '../../../test/harness/process.js'
import { HtpasswdFile, HtpasswdLoadError } from './htpasswd-file.js'

const root = mkdtempSync(join(tmpdir(), 'imagestreams-htpasswd-file-'))
after(() => rmSync(root, { recursive: true, force: true }))
let n = 0

/** A fresh folder with an htpasswd file holding `users`, written by the real `htpasswd -B`. */
function htpasswdFile(users: Record<string, string>): string {
  const file = join(mkdtempSync(join(root, `f${n++}-`)), 'users.htpasswd')
  writeFileSync(file, '')
  for (const [user, password] of Object.entries(users)) addUser(file, user, password)
  return file
}

function addUser(file: string, user: string, password: string): void {
  execFileSync('htpasswd', ['-b', '-B', file, user, password], { stdio: 'ignore' })
}

function recorder() {
  const lines: { level: string; context: Record<string, unknown>; message: string }[] = []
  return {
    lines,
    logger: {
      info: (context: object, message: string) =>
        lines.push({ level: 'info', context: context as Record<string, unknown>, message }),
      warn: (context: object, message: string) =>
        lines.push({ level: 'warn', context: context as Record<string, unknown>, message }),
    },
  }
}

describe('HtpasswdFile', () => {
  it('checks passwords of the users in the file', async () => {
    const file = await HtpasswdFile.open(htpasswdFile({ alice: 'a1' }), recorder().logger)
    try {
      assert.deepEqual(file.users, ['alice'])
      assert.equal(await file.check('alice', 'a1'), true)
      assert.equal(await file.check('alice', 'a2'), false)
      assert.equal(await file.check('bob', 'a1'), false)
    } finally {
      file.close()
    }
  })

  it('will not start from a file it cannot read or that is not user:hash lines', async () => {
    const missing = join(root, 'missing.htpasswd')
    await assert.rejects(HtpasswdFile.open(missing, recorder().logger), {
      name: 'HtpasswdLoadError',
      message: `unable to read --htpasswd: ${missing}: no such file or directory`,
    })
    const bad = htpasswdFile({ alice: 'a1' })
    writeFileSync(bad, `${readFileSync(bad, 'utf8')}garbage\n`)
    await assert.rejects(HtpasswdFile.open(bad, recorder().logger), (err: unknown) => {
      assert.ok(err instanceof HtpasswdLoadError)
      assert.equal(err.message, `--htpasswd: ${bad}: line 2: the line is not "user:hash"`)
      return true
    })
  })

  it('logs each refused entry with its user and line, and keeps the others', async () => {
    const path = htpasswdFile({ alice: 'a1' })
    writeFileSync(path, `${readFileSync(path, 'utf8')}bob:plain\n`)
    const log = recorder()
    const file = await HtpasswdFile.open(path, log.logger)
    file.close()
    assert.deepEqual(file.users, ['alice'])
    assert.deepEqual(
      log.lines.filter((l) => l.level === 'warn'),
      [
        {
          level: 'warn',
          context: { file: path, line: 2, user: 'bob' },
          message:
            'htpasswd entry refused: unknown hash format (plain text?): use bcrypt (htpasswd -B)',
        },
      ],
    )
  })

  it('re-reads the file when htpasswd changes it, without a login asking', async () => {
    const path = htpasswdFile({ alice: 'a1' })
    const file = await HtpasswdFile.open(path, recorder().logger)
    try {
      addUser(path, 'bob', 'b1')
      await pollUntil('bob to be read', () => Promise.resolve(file.users.includes('bob')))
      assert.equal(await file.check('bob', 'b1'), true)
    } finally {
      file.close()
    }
  })

  it('keeps the previous users while the file is gone, half-written or empty', async () => {
    const path = htpasswdFile({ alice: 'a1' })
    const text = readFileSync(path, 'utf8')
    const log = recorder()
    const file = await HtpasswdFile.open(path, log.logger)
    const kept = (why: string) =>
      log.lines.some(
        (l) => l.message === `htpasswd file not re-read, keeping the previous users: ${why}`,
      )
    try {
      renameSync(path, `${path}.away`)
      assert.equal(await file.check('alice', 'a1'), true)
      assert.ok(kept('cannot be read: no such file or directory'))

      writeFileSync(path, `${text}bo`)
      assert.equal(await file.check('alice', 'a1'), true)
      assert.ok(kept('line 2: the line is not "user:hash"'))

      writeFileSync(path, '')
      assert.equal(await file.check('alice', 'a1'), true)
      assert.ok(kept('the file is empty'))

      writeFileSync(path, '# nobody\n')
      assert.equal(await file.check('alice', 'a1'), false)
      assert.deepEqual(file.users, [])
    } finally {
      file.close()
    }
  })
})
