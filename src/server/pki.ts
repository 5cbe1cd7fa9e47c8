/**
 * The server's own PKI: a CA and a serving certificate signed by it, made on first start in the
 * data dir and reused afterwards, so the CA in `admin.kubeconfig` stays valid across restarts.
 * The serving certificate is re-issued by the same CA when it no longer fits (a new listen
 * address, near expiry). Keys are ECDSA P-256 from node:crypto; certificates are built with
 * pkijs because Node 20 can read X.509 but not write it. Files are written 0600.
 */
import { createHash, createPrivateKey, webcrypto, X509Certificate } from 'node:crypto'
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { join } from 'node:path'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'

/** PKI_FILES are the file names in the data dir. */
export const PKI_FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  servingCert: 'serving.crt',
  servingKey: 'serving.key',
} as const

/** Names every serving certificate covers besides the configured hosts. */
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', '::1', 'localhost']

const DAY_MS = 24 * 60 * 60 * 1000
const CA_VALIDITY_DAYS = 3650
const SERVING_VALIDITY_DAYS = 365
/** A certificate this close to expiry is replaced at start, so a running server never serves an expired one within a month of a restart. */
const RENEW_BEFORE_DAYS = 30
/** notBefore is backdated so clients with a slightly slow clock accept a fresh certificate. */
const BACKDATE_MS = 60 * 60 * 1000

const EC_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const

/** PkiError reports a PKI file that exists but cannot be used; the message names the file and the fix. */
export class PkiError extends Error {
  override readonly name = 'PkiError'
  readonly code = 'PkiError'
}

/** PkiOptions configures ensurePki. */
export interface PkiOptions {
  /** The data dir holding the PKI files (created 0700 if missing). */
  readonly dataDir: string
  /** DNS names or IP literals the serving certificate must cover, besides LOOPBACK_HOSTS. */
  readonly hosts: readonly string[]
  /** The clock; default the system's. */
  readonly now?: () => Date
}

/** ServingPki is what the HTTPS listener and the kubeconfig need, and what ensurePki did. */
export interface ServingPki {
  readonly caCertPem: string
  readonly certPem: string
  readonly keyPem: string
  /** Whether the CA was made now or read from the data dir. */
  readonly ca: 'created' | 'reused'
  /** Whether the serving certificate was made now (`created`, or `renewed` with a reason) or reused. */
  readonly serving: 'created' | 'reused' | 'renewed'
  /** Why the serving certificate was renewed, for the log. */
  readonly renewReason?: string
  /** Every name the serving certificate covers. */
  readonly hosts: readonly string[]
}

/** ensurePki makes or reuses the CA and the serving certificate in `opts.dataDir`. */
export async function ensurePki(opts: PkiOptions): Promise<ServingPki> {
  const now = opts.now?.() ?? new Date()
  const hosts = uniqueHosts([...opts.hosts, ...LOOPBACK_HOSTS])
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 })
  const path = (name: string) => join(opts.dataDir, name)

  let ca = await loadCA(path(PKI_FILES.caCert), path(PKI_FILES.caKey), now)
  let caState: ServingPki['ca'] = 'reused'
  if (!ca) {
    ca = await createCA(now)
    await writePrivate(path(PKI_FILES.caKey), ca.keyPem)
    await writePrivate(path(PKI_FILES.caCert), ca.certPem)
    caState = 'created'
  }

  let servingState: ServingPki['serving'] = 'created'
  let renewReason: string | undefined
  const existing = await readServing(path(PKI_FILES.servingCert), path(PKI_FILES.servingKey))
  if (existing && caState === 'reused') {
    renewReason = servingProblem(existing, ca, hosts, now)
    if (renewReason === undefined) {
      return {
        caCertPem: ca.certPem,
        certPem: existing.certPem,
        keyPem: existing.keyPem,
        ca: caState,
        serving: 'reused',
        hosts,
      }
    }
    servingState = 'renewed'
  }
  const serving = await createServingCert(ca, hosts, now)
  await writePrivate(path(PKI_FILES.servingKey), serving.keyPem)
  await writePrivate(path(PKI_FILES.servingCert), serving.certPem)
  return {
    caCertPem: ca.certPem,
    certPem: serving.certPem,
    keyPem: serving.keyPem,
    ca: caState,
    serving: servingState,
    ...(renewReason ? { renewReason } : {}),
    hosts,
  }
}

/** LoadedCA is a usable CA: its PEMs, parsed certificate and signing key. */
export interface LoadedCA {
  readonly certPem: string
  readonly keyPem: string
  readonly x509: X509Certificate
  readonly cert: pkijs.Certificate
  readonly privateKey: webcrypto.CryptoKey
}

/** KeyPairPem is a certificate and its private key, PEM. */
export interface KeyPairPem {
  readonly certPem: string
  readonly keyPem: string
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return undefined
    throw err
  }
}

/** loadCA reads the CA; undefined when there is none (or it expires soon: a new one is made). */
async function loadCA(certPath: string, keyPath: string, now: Date): Promise<LoadedCA | undefined> {
  const [certPem, keyPem] = await Promise.all([readOptional(certPath), readOptional(keyPath)])
  if (certPem === undefined && keyPem === undefined) return undefined
  const fix = `remove ${certPath} and ${keyPath} to create a new CA (clients must then use the new admin.kubeconfig)`
  if (certPem === undefined || keyPem === undefined) {
    throw new PkiError(`${certPem === undefined ? certPath : keyPath} is missing: ${fix}`)
  }
  const ca = await caFromPem(certPem, keyPem, now, { cert: certPath, key: keyPath, fix })
  if (ca) await Promise.all([chmod(certPath, 0o600), chmod(keyPath, 0o600)])
  return ca
}

/** PemSource names where a certificate and key were read, and the fix, for PkiError messages. */
export interface PemSource {
  readonly cert: string
  readonly key: string
  readonly fix: string
}

/**
 * caFromPem checks and loads a CA certificate and its key; undefined when it expires within
 * the renewal window (a new one is to be made), PkiError when it cannot be used.
 */
export async function caFromPem(
  certPem: string,
  keyPem: string,
  now: Date,
  where: PemSource,
): Promise<LoadedCA | undefined> {
  let x509: X509Certificate
  let nodeKey: ReturnType<typeof createPrivateKey>
  try {
    x509 = new X509Certificate(certPem)
    nodeKey = createPrivateKey(keyPem)
  } catch (err) {
    throw new PkiError(`cannot read the CA: ${errorText(err)}: ${where.fix}`, { cause: err })
  }
  if (!x509.ca || !x509.checkPrivateKey(nodeKey)) {
    throw new PkiError(`${where.cert} is not a CA certificate matching ${where.key}: ${where.fix}`)
  }
  // An expiring CA is replaced rather than refused: the kubeconfig is rewritten with it anyway.
  if (new Date(x509.validTo).getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS)
    return undefined
  const der = nodeKey.export({ type: 'pkcs8', format: 'der' })
  let privateKey: webcrypto.CryptoKey
  try {
    privateKey = await webcrypto.subtle.importKey('pkcs8', der, EC_ALGORITHM, false, ['sign'])
  } catch (err) {
    throw new PkiError(`${where.key} is not an ECDSA P-256 key: ${where.fix}`, { cause: err })
  }
  // Parsed by pkijs only to issue a serving certificate: most starts reuse theirs.
  let cert: pkijs.Certificate | undefined
  return {
    certPem,
    keyPem,
    x509,
    get cert() {
      return (cert ??= pkijs.Certificate.fromBER(x509.raw))
    },
    privateKey,
  }
}

/** ServingFiles is a parsed serving certificate and key. */
export interface ServingFiles extends KeyPairPem {
  readonly x509: X509Certificate
  readonly key: ReturnType<typeof createPrivateKey>
}

async function readServing(certPath: string, keyPath: string): Promise<ServingFiles | undefined> {
  const [certPem, keyPem] = await Promise.all([readOptional(certPath), readOptional(keyPath)])
  if (certPem === undefined || keyPem === undefined) return undefined
  return servingFromPem(certPem, keyPem)
}

/** servingFromPem parses a serving certificate and key; undefined when they do not parse. */
export function servingFromPem(certPem: string, keyPem: string): ServingFiles | undefined {
  try {
    return { certPem, keyPem, x509: new X509Certificate(certPem), key: createPrivateKey(keyPem) }
  } catch {
    // Unreadable serving files are simply re-issued: the CA is what clients trust.
    return undefined
  }
}

/** servingProblem says why the existing serving certificate cannot be reused, or undefined if it can. */
export function servingProblem(
  s: ServingFiles,
  ca: LoadedCA,
  hosts: readonly string[],
  now: Date,
): string | undefined {
  if (!s.x509.checkIssued(ca.x509) || !s.x509.verify(ca.x509.publicKey)) {
    return 'not signed by the current CA'
  }
  if (!s.x509.checkPrivateKey(s.key)) return 'the key does not match the certificate'
  if (new Date(s.x509.validTo).getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) {
    return `it expires on ${s.x509.validTo}`
  }
  if (new Date(s.x509.validFrom).getTime() > now.getTime()) return 'it is not valid yet'
  const missing = hosts.filter((h) =>
    isIP(h) ? s.x509.checkIP(h) === undefined : s.x509.checkHost(h) === undefined,
  )
  if (missing.length > 0) return `it does not cover ${missing.join(', ')}`
  return undefined
}

/** createCA makes a new CA (ten years). */
export async function createCA(now: Date): Promise<LoadedCA> {
  const keys = await generateKeyPair()
  const cert = new pkijs.Certificate()
  const name = `isctl-ca@${Math.floor(now.getTime() / 1000)}`
  setBasics(cert, { subject: name, issuer: undefined, now, days: CA_VALIDITY_DAYS })
  await cert.subjectPublicKeyInfo.importKey(keys.publicKey, engine())
  const ski = keyIdentifier(cert)
  cert.extensions = [
    extension('2.5.29.19', true, new pkijs.BasicConstraints({ cA: true, pathLenConstraint: 0 })),
    keyUsage(KEY_USAGE.digitalSignature | KEY_USAGE.keyCertSign | KEY_USAGE.cRLSign),
    rawExtension('2.5.29.14', false, new asn1js.OctetString({ valueHex: ski })),
  ]
  await cert.sign(keys.privateKey, 'SHA-256', engine())
  const certPem = pem('CERTIFICATE', cert.toSchema(true).toBER(false))
  const keyPem = pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey))
  return { certPem, keyPem, x509: new X509Certificate(certPem), cert, privateKey: keys.privateKey }
}

/** createServingCert issues a serving certificate for `hosts` (one year), signed by `ca`. */
export async function createServingCert(
  ca: LoadedCA,
  hosts: readonly string[],
  now: Date,
): Promise<KeyPairPem> {
  const keys = await generateKeyPair()
  const cert = new pkijs.Certificate()
  setBasics(cert, {
    subject: hosts[0] ?? 'localhost',
    issuer: ca.cert,
    now,
    days: SERVING_VALIDITY_DAYS,
  })
  await cert.subjectPublicKeyInfo.importKey(keys.publicKey, engine())
  const names = hosts.map((h) => {
    const ip = ipBytes(h)
    return ip
      ? new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: ip }) })
      : new pkijs.GeneralName({ type: 2, value: h })
  })
  cert.extensions = [
    extension('2.5.29.19', true, new pkijs.BasicConstraints({ cA: false })),
    keyUsage(KEY_USAGE.digitalSignature),
    extension('2.5.29.37', false, new pkijs.ExtKeyUsage({ keyPurposes: ['1.3.6.1.5.5.7.3.1'] })),
    extension('2.5.29.17', false, new pkijs.GeneralNames({ names })),
    rawExtension('2.5.29.14', false, new asn1js.OctetString({ valueHex: keyIdentifier(cert) })),
    extension(
      '2.5.29.35',
      false,
      new pkijs.AuthorityKeyIdentifier({
        keyIdentifier: new asn1js.OctetString({ valueHex: keyIdentifier(ca.cert) }),
      }),
    ),
  ]
  await cert.sign(ca.privateKey, 'SHA-256', engine())
  return {
    certPem: pem('CERTIFICATE', cert.toSchema(true).toBER(false)),
    keyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
  }
}

let cryptoEngine: pkijs.CryptoEngine | undefined

/** The pkijs engine over Node's WebCrypto, passed explicitly so pkijs's global engine is never touched. */
function engine(): pkijs.CryptoEngine {
  cryptoEngine ??= new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto })
  return cryptoEngine
}

function generateKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_ALGORITHM, true, ['sign', 'verify'])
}

function setBasics(
  cert: pkijs.Certificate,
  o: { subject: string; issuer: pkijs.Certificate | undefined; now: Date; days: number },
): void {
  cert.version = 2 // X.509 v3
  cert.serialNumber = new asn1js.Integer({ valueHex: serialNumber() })
  cert.subject.typesAndValues = [commonName(o.subject)]
  if (o.issuer) cert.issuer = o.issuer.subject
  else cert.issuer.typesAndValues = [commonName(o.subject)]
  cert.notBefore.value = new Date(o.now.getTime() - BACKDATE_MS)
  cert.notAfter.value = new Date(o.now.getTime() + o.days * DAY_MS)
}

function commonName(value: string): pkijs.AttributeTypeAndValue {
  return new pkijs.AttributeTypeAndValue({
    type: '2.5.4.3',
    value: new asn1js.Utf8String({ value }),
  })
}

/**
 * serialNumber is 128 random bits, positive and minimally encoded: Go's x509 parser (kubectl)
 * rejects negative serials and non-minimal INTEGER encodings, so the top byte is 0x40-0x7f.
 */
function serialNumber(): Uint8Array {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16))
  bytes[0] = (bytes[0]! & 0x3f) | 0x40
  return bytes
}

/** keyIdentifier is RFC 5280's method 1: SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(cert: pkijs.Certificate): Uint8Array {
  const bits = cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView
  return createHash('sha1').update(bits).digest()
}

const KEY_USAGE = {
  digitalSignature: 0x80,
  keyCertSign: 0x04,
  cRLSign: 0x02,
} as const

function keyUsage(bits: number): pkijs.Extension {
  // DER names the unused trailing bits of the one-byte string: count the zero bits after the last set one.
  let unusedBits = 0
  while (unusedBits < 7 && (bits & (1 << unusedBits)) === 0) unusedBits++
  const value = new asn1js.BitString({ valueHex: Uint8Array.of(bits), unusedBits })
  return rawExtension('2.5.29.15', true, value)
}

function extension(
  id: string,
  critical: boolean,
  value: { toSchema(): { toBER(sizeOnly?: boolean): ArrayBuffer } },
): pkijs.Extension {
  return new pkijs.Extension({ extnID: id, critical, extnValue: value.toSchema().toBER(false) })
}

function rawExtension(
  id: string,
  critical: boolean,
  value: { toBER(sizeOnly?: boolean): ArrayBuffer },
): pkijs.Extension {
  return new pkijs.Extension({ extnID: id, critical, extnValue: value.toBER(false) })
}

function pem(label: string, der: ArrayBuffer): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? []
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
}

/** writePrivate writes a file readable only by its owner, atomically (temp file, then rename). */
export async function writePrivate(path: string, data: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`
  await writeFile(tmp, data, { mode: 0o600 })
  // The mode given to writeFile is masked by the umask and ignored for an existing file.
  await chmod(tmp, 0o600)
  await rename(tmp, path)
}

/** uniqueHosts drops duplicates and IPv6 brackets, keeping the first spelling of each name. */
export function uniqueHosts(hosts: readonly string[]): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const raw of hosts) {
    const h = raw.replace(/^\[(.*)\]$/, '$1').toLowerCase()
    if (h === '' || seen.has(h)) continue
    seen.add(h)
    out.push(h)
  }
  return out
}

/** ipBytes encodes an IP literal for an iPAddress SAN; undefined for a DNS name. */
export function ipBytes(host: string): Uint8Array | undefined {
  const h = host.replace(/%.*$/, '')
  switch (isIP(h)) {
    case 4:
      return Uint8Array.from(h.split('.').map(Number))
    case 6:
      return ipv6Bytes(h)
    default:
      return undefined
  }
}

function ipv6Bytes(h: string): Uint8Array {
  // isIP has validated the syntax; expand `::` and a trailing dotted IPv4 into 8 groups.
  let text = h
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (v4) {
    const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number]
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = text.split('::') as [string, string | undefined]
  const parse = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : [])
  const left = parse(head)
  const right = parse(tail)
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right]
  const out = new Uint8Array(16)
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8
    out[2 * i + 1] = g & 0xff
  })
  return out
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
