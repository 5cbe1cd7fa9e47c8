/** A throwaway certificate authority for TLS registries, token servers and proxies. */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runCommand } from './process.js'

/** Paths and PEM text of a test CA and the 127.0.0.1/localhost server certificate it signed. */
export interface TestCA {
  /** Directory holding every file below. */
  dir: string
  caCertPath: string
  caKeyPath: string
  caCertPem: string
  serverCertPath: string
  serverKeyPath: string
  serverCertPem: string
  serverKeyPem: string
  /** A directory holding only `ca.crt`, for skopeo/podman `--cert-dir`. */
  certDir: string
}

/** A key pair whose certificate the test CA signed, for signing (not serving). */
export interface SigningCert {
  certPath: string
  keyPath: string
  certPem: string
  keyPem: string
}

// Certificates only live as long as one test process; a week keeps clock skew irrelevant.
const DAYS = '7'
// EC keys are generated in milliseconds; RSA is only used where the brief needs RS256.
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1']

function serial(): string {
  // Positive 64-bit serial so two CAs made in the same second never collide in a trust store.
  const bytes = randomBytes(8)
  bytes[0] = bytes[0]! & 0x7f
  return `0x${bytes.toString('hex')}`
}

async function signCsr(
  ca: { caCertPath: string; caKeyPath: string },
  dir: string,
  name: string,
  extensions: string,
): Promise<void> {
  const ext = join(dir, `${name}.ext`)
  await writeFile(ext, extensions)
  await runCommand('openssl', [
    'x509',
    '-req',
    '-in',
    join(dir, `${name}.csr`),
    '-CA',
    ca.caCertPath,
    '-CAkey',
    ca.caKeyPath,
    '-set_serial',
    serial(),
    '-days',
    DAYS,
    '-sha256',
    '-extfile',
    ext,
    '-out',
    join(dir, `${name}.crt`),
  ])
}

/** Creates a CA and a server certificate for IP:127.0.0.1 and DNS:localhost in `dir`. */
export async function createTestCA(dir: string): Promise<TestCA> {
  await mkdir(dir, { recursive: true })
  const caCertPath = join(dir, 'ca.crt')
  const caKeyPath = join(dir, 'ca.key')
  await runCommand('openssl', [
    'req',
    '-x509',
    '-new',
    ...EC_KEY,
    '-nodes',
    '-keyout',
    caKeyPath,
    '-out',
    caCertPath,
    '-days',
    DAYS,
    '-subj',
    '/CN=imagestreams test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ])
  const serverKeyPath = join(dir, 'server.key')
  await runCommand('openssl', [
    'req',
    '-new',
    ...EC_KEY,
    '-nodes',
    '-keyout',
    serverKeyPath,
    '-out',
    join(dir, 'server.csr'),
    '-subj',
    '/CN=127.0.0.1',
  ])
  // Go (distribution, skopeo) ignores the CN and needs the SAN; Node checks it as well.
  await signCsr(
    { caCertPath, caKeyPath },
    dir,
    'server',
    [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'),
  )
  const certDir = join(dir, 'certs.d')
  await mkdir(certDir)
  const caCertPem = await readFile(caCertPath, 'utf8')
  await writeFile(join(certDir, 'ca.crt'), caCertPem)
  return {
    dir,
    caCertPath,
    caKeyPath,
    caCertPem,
    serverCertPath: join(dir, 'server.crt'),
    serverKeyPath,
    serverCertPem: await readFile(join(dir, 'server.crt'), 'utf8'),
    serverKeyPem: await readFile(serverKeyPath, 'utf8'),
    certDir,
  }
}

/** Creates an RSA-2048 key and a CA-signed certificate usable for RS256 token signing. */
export async function createSigningCert(
  ca: TestCA,
  dir: string,
  name: string,
): Promise<SigningCert> {
  await mkdir(dir, { recursive: true })
  const keyPath = join(dir, `${name}.key`)
  await runCommand('openssl', [
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    join(dir, `${name}.csr`),
    '-subj',
    `/CN=${name}`,
  ])
  // distribution rejects an x5c leaf whose KeyUsage lacks DigitalSignature.
  await signCsr(
    ca,
    dir,
    name,
    ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', ''].join('\n'),
  )
  const certPath = join(dir, `${name}.crt`)
  return {
    certPath,
    keyPath,
    certPem: await readFile(certPath, 'utf8'),
    keyPem: await readFile(keyPath, 'utf8'),
  }
}
