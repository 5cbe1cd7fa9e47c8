/**
 * WWW-Authenticate parsing (RFC 7235), including several challenges on one line and several
 * header lines, which the Go parsers that registries were written against only half handle
 * (docs/registry-protocol.md#challenges).
 */

/** Challenge is one auth scheme with its parameters; scheme and parameter names are lowercase. */
export interface Challenge {
  readonly scheme: string
  readonly params: Readonly<Record<string, string>>
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/

class Cursor {
  pos = 0
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
  get done(): boolean {
    return this.pos >= this.text.length
  }
  peek(): string {
    return this.text[this.pos] ?? ''
  }
  skip(chars: string): void {
    while (!this.done && chars.includes(this.peek())) this.pos++
  }
  token(): string {
    const start = this.pos
    while (!this.done && TOKEN_CHAR.test(this.peek())) this.pos++
    return this.text.slice(start, this.pos)
  }
  /** An unquoted value runs to the next comma or white space (realms hold '/' and ':'). */
  bare(): string {
    const start = this.pos
    while (!this.done && !/[,\s]/.test(this.peek())) this.pos++
    return this.text.slice(start, this.pos)
  }
  quoted(): string {
    let out = ''
    this.pos++ // opening quote
    while (!this.done && this.peek() !== '"') {
      if (this.peek() === '\\') this.pos++
      out += this.peek()
      this.pos++
    }
    this.pos++ // closing quote
    return out
  }
  /** True when the text at the cursor is `token =` (a parameter) rather than a new scheme. */
  atParam(): boolean {
    const save = this.pos
    const name = this.token()
    this.skip(' \t')
    const isParam = name !== '' && this.peek() === '='
    this.pos = save
    return isParam
  }
}

/** parseChallenges reads every challenge of one or more WWW-Authenticate header values. */
export function parseChallenges(headers: string | readonly string[] | undefined): Challenge[] {
  const lines = headers === undefined ? [] : typeof headers === 'string' ? [headers] : headers
  const out: Challenge[] = []
  for (const line of lines) {
    const c = new Cursor(line)
    while (!c.done) {
      c.skip(' \t,')
      const scheme = c.token().toLowerCase()
      if (scheme === '') {
        c.pos++ // not a token character: skip it rather than loop forever
        continue
      }
      const params: Record<string, string> = {}
      for (;;) {
        c.skip(' \t')
        if (!c.atParam()) {
          // token68 credentials (never used by registries) or the next challenge's scheme.
          if (!c.done && c.peek() !== ',' && Object.keys(params).length === 0) c.token()
          break
        }
        const name = c.token().toLowerCase()
        c.skip(' \t')
        c.pos++ // '='
        c.skip(' \t')
        params[name] = c.peek() === '"' ? c.quoted() : c.bare()
        c.skip(' \t')
        if (c.peek() !== ',') break
        const save = c.pos
        c.skip(' \t,')
        if (!c.atParam()) {
          c.pos = save
          break
        }
      }
      out.push({ scheme, params })
    }
  }
  return out
}

/** pickChallenge prefers Bearer, then Basic; other schemes (Negotiate ...) are unusable here. */
export function pickChallenge(challenges: readonly Challenge[]): Challenge | undefined {
  return (
    challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic')
  )
}

/** scopesOf splits a challenge's space-separated `scope` parameter. */
export function scopesOf(challenge: Challenge | undefined): string[] {
  return (challenge?.params.scope ?? '').split(' ').filter(Boolean)
}
