import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import {
  clientVersionInfo,
  packageVersion,
  versionDocument,
  versionOutput,
  versionText,
} from './version.js'

void describe('version', () => {
  void it('packageVersion reads the package root', () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as { version: string }
    assert.equal(packageVersion(), version)
  })

  const texts: [string | undefined, string][] = [
    [undefined, 'Client Version: 1.2.3\n'],
    ['v1.32.0', 'Client Version: 1.2.3\nServer Version: v1.32.0\n'],
  ]
  for (const [server, want] of texts) {
    void it(`text with server ${server}`, () =>
      assert.equal(versionText('1.2.3', server ? { gitVersion: server } : undefined), want))
  }

  void it('the document carries both versions', () => {
    const doc = versionDocument('1.2.3', { gitVersion: 'v1.32.0', minor: '32' })
    assert.deepEqual(doc.serverVersion, { gitVersion: 'v1.32.0', minor: '32' })
    assert.deepEqual(
      { ...(doc.clientVersion as object), platform: '' },
      { ...clientVersionInfo('1.2.3'), platform: '' },
    )
    assert.equal(clientVersionInfo('1.2.3').major, '1')
    assert.equal(clientVersionInfo('1.2.3').minor, '2')
    assert.deepEqual(Object.keys(versionDocument('1.2.3', undefined)), ['clientVersion'])
  })

  for (const [o, want] of [
    [undefined, ''],
    ['json', 'json'],
    ['yaml', 'yaml'],
  ] as const) {
    void it(`-o ${o}`, () => assert.equal(versionOutput(o), want))
  }
  void it('refuses other formats as kubectl does', () =>
    assert.throws(() => versionOutput('wide'), { message: "--output must be 'yaml' or 'json'" }))
})
