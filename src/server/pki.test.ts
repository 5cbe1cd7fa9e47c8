import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { ensurePki, ipBytes, LOOPBACK_HOSTS, PKI_FILES, PkiError } from './pki.js'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'imagestreams-pki-'))
  dirs.push(dir)
  return dir
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const DAY = 24 * 60 * 60 * 1000

describe('ensurePki', () => {
  it('creates a CA and a serving certificate for the hosts and loopback, files 0600', async () => {
    const dataDir = join(tempDir(), 'nested', 'data')
    const pki = await ensurePki({ dataDir, hosts: ['10.1.2.3', 'api.example.test'] })
    assert.equal(pki.ca, 'created')
    assert.equal(pki.serving, 'created')

    const ca = new X509Certificate(pki.caCertPem)
    const cert = new X509Certificate(pki.certPem)
    assert.ok(ca.ca)
    assert.ok(!cert.ca)
    assert.ok(cert.checkIssued(ca))
    assert.ok(cert.verify(ca.publicKey))
    for (const ip of ['10.1.2.3', '127.0.0.1', '::1']) assert.equal(cert.checkIP(ip), ip)
    for (const host of ['api.example.test', 'localhost']) assert.equal(cert.checkHost(host), host)
    assert.equal(cert.checkHost('other.example.test'), undefined)
    assert.deepEqual(pki.hosts, ['10.1.2.3', 'api.example.test', ...LOOPBACK_HOSTS])
    // Go (kubectl) rejects negative serial numbers.
    assert.ok(/^[1-7]/.test(cert.serialNumber), cert.serialNumber)

    assert.equal(statSync(dataDir).mode & 0o777, 0o700)
    for (const file of Object.values(PKI_FILES)) {
      assert.equal(statSync(join(dataDir, file)).mode & 0o777, 0o600, file)
    }
  })

  it('reuses both certificates on the next start', async () => {
    const dataDir = tempDir()
    const first = await ensurePki({ dataDir, hosts: ['127.0.0.1'] })
    const second = await ensurePki({ dataDir, hosts: ['127.0.0.1'] })
    assert.equal(second.ca, 'reused')
    assert.equal(second.serving, 'reused')
    assert.equal(second.caCertPem, first.caCertPem)
    assert.equal(second.certPem, first.certPem)
    assert.equal(second.keyPem, first.keyPem)
  })

  it('re-issues the serving certificate from the same CA for a new host', async () => {
    const dataDir = tempDir()
    const first = await ensurePki({ dataDir, hosts: [] })
    const second = await ensurePki({ dataDir, hosts: ['192.0.2.7'] })
    assert.equal(second.ca, 'reused')
    assert.equal(second.serving, 'renewed')
    assert.match(second.renewReason ?? '', /192\.0\.2\.7/)
    assert.equal(second.caCertPem, first.caCertPem)
    const cert = new X509Certificate(second.certPem)
    assert.ok(cert.verify(new X509Certificate(first.caCertPem).publicKey))
    assert.equal(cert.checkIP('192.0.2.7'), '192.0.2.7')
  })

  it('re-issues a serving certificate that is about to expire, keeping the CA', async () => {
    const dataDir = tempDir()
    const now = Date.now()
    const first = await ensurePki({ dataDir, hosts: [], now: () => new Date(now) })
    const later = await ensurePki({ dataDir, hosts: [], now: () => new Date(now + 340 * DAY) })
    assert.equal(later.ca, 'reused')
    assert.equal(later.serving, 'renewed')
    assert.equal(later.caCertPem, first.caCertPem)
    assert.notEqual(later.certPem, first.certPem)
  })

  it('re-issues a serving certificate whose files are unreadable', async () => {
    const dataDir = tempDir()
    await ensurePki({ dataDir, hosts: [] })
    writeFileSync(join(dataDir, PKI_FILES.servingCert), 'garbage')
    const again = await ensurePki({ dataDir, hosts: [] })
    assert.equal(again.ca, 'reused')
    assert.equal(again.serving, 'created')
  })

  it('refuses a CA certificate without its key, naming the file and the fix', async () => {
    const dataDir = tempDir()
    await ensurePki({ dataDir, hosts: [] })
    unlinkSync(join(dataDir, PKI_FILES.caKey))
    await assert.rejects(ensurePki({ dataDir, hosts: [] }), (err: unknown) => {
      assert.ok(err instanceof PkiError)
      assert.match(err.message, /ca\.key is missing: remove .*ca\.crt and .*ca\.key/)
      return true
    })
  })

  it('refuses a CA key that does not match the CA certificate', async () => {
    const a = tempDir()
    const b = tempDir()
    await ensurePki({ dataDir: a, hosts: [] })
    await ensurePki({ dataDir: b, hosts: [] })
    writeFileSync(join(a, PKI_FILES.caKey), readFileSync(join(b, PKI_FILES.caKey)))
    await assert.rejects(ensurePki({ dataDir: a, hosts: [] }), PkiError)
  })
})

describe('ipBytes', () => {
  const cases: [string, string | undefined][] = [
    ['127.0.0.1', '7f000001'],
    ['10.1.2.3', '0a010203'],
    ['::1', '00000000000000000000000000000001'],
    ['::', '00000000000000000000000000000000'],
    ['2001:db8::8:800:200c:417a', '20010db80000000000080800200c417a'],
    ['fe80::1%eth0', 'fe800000000000000000000000000001'],
    ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['localhost', undefined],
    ['api.example.test', undefined],
  ]
  for (const [input, hex] of cases) {
    it(`${input} -> ${hex ?? 'DNS name'}`, () => {
      const bytes = ipBytes(input)
      assert.equal(bytes === undefined ? undefined : Buffer.from(bytes).toString('hex'), hex)
    })
  }
})
