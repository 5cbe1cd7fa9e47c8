import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  AllowedRegistriesFileError,
  readAllowedRegistries,
  watchAllowedRegistries,
} from './allowed-registries-file.js'

const ref = { registry: 'quay.io', repository: 'a/b' }

describe('readAllowedRegistries', () => {
  const lists: readonly (readonly [string, string])[] = [
    ['a YAML list', '- domainName: quay.io\n- domainName: "*.example.com"\n  insecure: true\n'],
    ['a JSON list', '[{"domainName": "quay.io"}]'],
    ['the image config spec field', 'allowedRegistriesForImport:\n- domainName: quay.io\n'],
  ]
  for (const [name, text] of lists) {
    it(`reads ${name}`, () => {
      const list = readAllowedRegistries(text, 'allowed.yaml')
      assert.ok(list)
      assert.equal(list.admit(ref, 'secure'), undefined)
      assert.ok(list.admit({ registry: 'docker.io', repository: 'library/x' }, 'secure'))
    })
  }

  for (const text of ['', '[]', 'allowedRegistriesForImport: []\n']) {
    it(`allows every registry for ${JSON.stringify(text)}`, () => {
      assert.equal(readAllowedRegistries(text, 'allowed.yaml'), undefined)
    })
  }

  const bad: readonly (readonly [string, string])[] = [
    ['{', 'allowed.yaml: not YAML or JSON'],
    ['domainName: quay.io', 'allowed.yaml: must be a list of {domainName, insecure} entries'],
    ['- quay.io', 'allowed.yaml: entry 1: must be a mapping with domainName'],
    ['- domainname: quay.io', 'allowed.yaml: entry 1: unknown field "domainname"'],
    [
      '- domainName: quay.io\n- insecure: true',
      'allowed.yaml: entry 2: domainName must be a non-empty string',
    ],
    [
      '- domainName: quay.io\n  insecure: "yes"',
      'allowed.yaml: entry 1: insecure must be true or false',
    ],
    [
      '- domainName: "0:1:2:3"',
      'allowed.yaml: failed to parse allowed registry "0:1:2:3": too many colons',
    ],
  ]
  for (const [text, message] of bad) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      assert.throws(
        () => readAllowedRegistries(text, 'allowed.yaml'),
        (err: unknown) =>
          err instanceof AllowedRegistriesFileError && err.message.startsWith(message),
      )
    })
  }
})

describe('watchAllowedRegistries', () => {
  it('applies a changed file, keeps the list through a broken one, and allows all when emptied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'allowed-registries-'))
    const path = join(dir, 'allowed.yaml')
    const errors: string[] = []
    let reloads = 0
    writeFileSync(path, '- domainName: quay.io\n')
    const watched = watchAllowedRegistries(
      path,
      {
        list: readAllowedRegistries('- domainName: quay.io\n', path),
        text: '- domainName: quay.io\n',
      },
      {
        intervalMs: 20,
        onReload: () => reloads++,
        onError: (message) => errors.push(message),
      },
    )
    const docker = { registry: 'docker.io', repository: 'library/x' }
    /** until polls the list until `check` holds (the file is looked at every 20 ms). */
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 20))
      assert.ok(check())
    }
    try {
      assert.ok(watched.list.admit(docker, 'secure'))
      writeFileSync(path, '- domainName: docker.io\n')
      await until(() => watched.list.admit(docker, 'secure') === undefined)
      assert.ok(watched.list.admit(ref, 'secure'), 'quay.io is no longer listed')
      writeFileSync(path, '- domainName: "a:1:2"\n')
      await until(() => errors.length > 0)
      assert.match(
        errors[0]!,
        /allowed\.yaml: failed to parse allowed registry "a:1:2": too many colons/,
      )
      assert.equal(watched.list.admit(docker, 'secure'), undefined, 'the previous list stays')
      const before = reloads
      writeFileSync(path, '[]\n')
      await until(() => reloads > before)
      assert.equal(watched.list.admit(ref, 'secure'), undefined)
    } finally {
      watched.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
