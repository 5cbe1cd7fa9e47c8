/**
 * Apache htpasswd files as OpenShift's HTPasswd identity provider reads them
 * (openshift/oauth-server pkg/authenticator/password/htpasswd): one `user:hash` a line, bcrypt
 * (`$2y$`, `$2a$`, `$2b$`, as `htpasswd -B` writes), `{SHA}` (`htpasswd -s`) and apr1 MD5
 * (`htpasswd -m`, Apache's default); crypt and plain-text entries are refused. See
 * docs/access-control.md#users-and-login.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { compare, getRounds, hashSync } from 'bcryptjs'

/** HashScheme is how an entry's password is hashed. */
export type HashScheme = 'bcrypt' | 'sha1' | 'apr1'

/** HtpasswdEntry is one usable user of the file. */
export interface HtpasswdEntry {
  readonly user: string
  readonly hash: string
  readonly scheme: HashScheme
  /** 1-based line number, for messages. */
  readonly line: number
}

/** HtpasswdProblem is a line that gives no usable user; `user` is absent when the line has none. */
export interface HtpasswdProblem {
  readonly line: number
  readonly user?: string
  readonly reason: string
  /**
   * True when the line is not `user:hash` at all, as in a file caught half-written: the caller
   * keeps the users it had rather than take a truncated list.
   */
  readonly malformed: boolean
}

/** ParsedHtpasswd is a file's users (a later line for the same user wins, as in OpenShift) and its problems. */
export interface ParsedHtpasswd {
  readonly users: ReadonlyMap<string, HtpasswdEntry>
  readonly problems: readonly HtpasswdProblem[]
}

const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/
const SHA1 = /^\{SHA\}[A-Za-z0-9+/]{27}=$/
const APR1 = /^\$apr1\$[^$]{0,8}\$[./A-Za-z0-9]{22}$/

/** schemeOf names an entry's hash scheme, or says why it is refused. */
export function schemeOf(hash: string): HashScheme | { readonly refused: string } {
  if (BCRYPT.test(hash)) return 'bcrypt'
  if (SHA1.test(hash)) return 'sha1'
  if (APR1.test(hash)) return 'apr1'
  if (hash.startsWith('$2') || hash.startsWith('{SHA}') || hash.startsWith('$apr1$')) {
    return { refused: 'the hash is malformed' }
  }
  // 13 characters of the crypt alphabet is what `htpasswd -d` writes.
  if (/^[./A-Za-z0-9]{13}$/.test(hash)) {
    return { refused: 'crypt hashes are not supported: use bcrypt (htpasswd -B)' }
  }
  return { refused: 'unknown hash format (plain text?): use bcrypt (htpasswd -B)' }
}

/** parseHtpasswd reads a file's text; blank lines and `#` comments are skipped. */
export function parseHtpasswd(text: string): ParsedHtpasswd {
  const users = new Map<string, HtpasswdEntry>()
  const problems: HtpasswdProblem[] = []
  const lines = text.split('\n')
  lines.forEach((raw, i) => {
    const line = i + 1
    const content = raw.replace(/\r$/, '').trim()
    if (content === '' || content.startsWith('#')) return
    const colon = content.indexOf(':')
    if (colon <= 0) {
      problems.push({ line, reason: 'the line is not "user:hash"', malformed: true })
      return
    }
    const user = content.slice(0, colon)
    const hash = content.slice(colon + 1)
    const scheme = schemeOf(hash)
    if (typeof scheme === 'string') users.set(user, { user, hash, scheme, line })
    else {
      users.delete(user)
      problems.push({ line, user, reason: scheme.refused, malformed: false })
    }
  })
  return { users, problems }
}

/** verifyCheapHash checks a `{SHA}` or apr1 entry; bcrypt entries go through bcrypt. */
function verifyCheapHash(entry: HtpasswdEntry, password: string): boolean {
  const expected =
    entry.scheme === 'sha1'
      ? `{SHA}${createHash('sha1').update(password, 'utf8').digest('base64')}`
      : apr1(password, entry.hash.split('$')[2] ?? '')
  const a = Buffer.from(expected, 'utf8')
  const b = Buffer.from(entry.hash, 'utf8')
  return a.length === b.length && timingSafeEqual(a, b)
}

const dummies = new Map<number, string>()

/**
 * dummyHash is a bcrypt hash of nothing anyone types, at `rounds`: checking a password for an
 * unknown user (or one whose entry is not bcrypt) against it takes as long as for a real user.
 */
export function dummyHash(rounds: number): string {
  let hash = dummies.get(rounds)
  if (hash === undefined) {
    hash = hashSync('\u0000not a password\u0000', rounds)
    dummies.set(rounds, hash)
  }
  return hash
}

/** bcryptRounds is the cost of a bcrypt entry. */
export function bcryptRounds(hash: string): number {
  return getRounds(hash)
}

/**
 * verifyPassword checks `password` for `entry` (undefined: no such user). It always runs exactly
 * one bcrypt comparison, against the entry's hash or a dummy of `rounds`, so the time it takes
 * does not tell whether the user exists or how its password is hashed.
 */
export async function verifyPassword(
  entry: HtpasswdEntry | undefined,
  password: string,
  rounds: number,
): Promise<boolean> {
  if (entry?.scheme === 'bcrypt') return compare(password, entry.hash)
  await compare(password, dummyHash(rounds))
  return entry !== undefined && verifyCheapHash(entry, password)
}

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

function to64(value: number, chars: number): string {
  let out = ''
  for (let v = value, n = chars; n > 0; n--, v >>= 6) out += ITOA64[v & 0x3f]
  return out
}

const md5 = (...parts: Buffer[]): Buffer => {
  const h = createHash('md5')
  for (const p of parts) h.update(p)
  return h.digest()
}

/** apr1 is Apache's MD5-based crypt (apr_md5_encode), `$apr1$salt$hash`. */
export function apr1(password: string, salt: string): string {
  const pw = Buffer.from(password, 'utf8')
  const magic = Buffer.from('$apr1$')
  const s = Buffer.from(salt.slice(0, 8), 'utf8')
  const alternate = md5(pw, s, pw)
  const ctx: Buffer[] = [pw, magic, s]
  for (let left = pw.length; left > 0; left -= 16)
    ctx.push(alternate.subarray(0, Math.min(16, left)))
  for (let i = pw.length; i > 0; i >>= 1) ctx.push(i & 1 ? Buffer.of(0) : pw.subarray(0, 1))
  let f = md5(...ctx)
  for (let i = 0; i < 1000; i++) {
    const round: Buffer[] = [i & 1 ? pw : f]
    if (i % 3) round.push(s)
    if (i % 7) round.push(pw)
    round.push(i & 1 ? f : pw)
    f = md5(...round)
  }
  const b = (i: number): number => f[i] ?? 0
  const encoded =
    to64((b(0) << 16) | (b(6) << 8) | b(12), 4) +
    to64((b(1) << 16) | (b(7) << 8) | b(13), 4) +
    to64((b(2) << 16) | (b(8) << 8) | b(14), 4) +
    to64((b(3) << 16) | (b(9) << 8) | b(15), 4) +
    to64((b(4) << 16) | (b(10) << 8) | b(5), 4) +
    to64(b(11), 2)
  return `$apr1$${salt.slice(0, 8)}$${encoded}`
}
