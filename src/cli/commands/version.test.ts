import assert from 'node:assert/strict'
import {
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import {
  clientPath,
  clientVersionInfo,
  packageVersion,
  versionDocument,
  versionOutput,
  versionText,
  type ServerVersion,
} from './version.js'

void describe('version', () => {
  void it('packageVersion reads the package root', () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as { version: string }
    assert.equal(packageVersion(), version)
  })

  const ours = { gitVersion: 'v1.32.0', gitCommit: 'imagestreams-0.4.0' }
  const texts: [string, ServerVersion | undefined, string][] = [
    ['no server', undefined, 'Client Version: 1.2.3\nClient Path: /p/isctl.cjs\n'],
    [
      'an image streams server',
      ours,
      'Client Version: 1.2.3\nClient Path: /p/isctl.cjs\nServer Version: 0.4.0\nKubernetes Version: v1.32.0\n',
    ],
    [
      'another Kubernetes server',
      { gitVersion: 'v1.31.2', gitCommit: 'abc' },
      'Client Version: 1.2.3\nClient Path: /p/isctl.cjs\nKubernetes Version: v1.31.2\n',
    ],
  ]
  for (const [what, server, want] of texts) {
    void it(`text with ${what}`, () =>
      assert.equal(versionText('1.2.3', '/p/isctl.cjs', server), want))
  }

  void it('clientPath resolves symbolic links', () => {
    const dir = mkdtempSync(join(tmpdir(), 'isctl-version-'))
    try {
      writeFileSync(join(dir, 'real.cjs'), '')
      symlinkSync(join(dir, 'real.cjs'), join(dir, 'isctl'))
      assert.equal(clientPath(join(dir, 'isctl')), realpathSync(join(dir, 'real.cjs')))
      assert.equal(clientPath(join(dir, 'missing')), join(dir, 'missing'))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  void it('the document carries both versions, as oc names them', () => {
    const doc = versionDocument('1.2.3', '/p/isctl.cjs', { ...ours, minor: '32' })
    assert.deepEqual(doc.serverVersion, { ...ours, minor: '32' })
    assert.equal(doc.openshiftVersion, '0.4.0')
    assert.equal(doc.clientPath, '/p/isctl.cjs')
    assert.deepEqual(
      { ...(doc.clientVersion as object), platform: '' },
      { ...clientVersionInfo('1.2.3'), platform: '' },
    )
    assert.equal(clientVersionInfo('1.2.3').major, '1')
    assert.equal(clientVersionInfo('1.2.3').minor, '2')
    assert.deepEqual(Object.keys(versionDocument('1.2.3', '/p', undefined)), [
      'clientVersion',
      'clientPath',
    ])
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
