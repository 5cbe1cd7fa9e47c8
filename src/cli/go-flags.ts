/**
 * pflag's boolean flag syntax for commander: oc users type `--scheduled=true` or
 * `--insecure=false`, which commander rejects for a flag without a value.
 */
import { Option, type Command } from 'commander'
import { GO_DURATION_UNIT_MS } from '../lib/duration.js'
import { UsageError } from './errors.js'

const GO_TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True']
const GO_FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False']

/** parseGoBoolean reads a value as Go's strconv.ParseBool does; undefined for anything else. */
export function parseGoBoolean(value: string): boolean | undefined {
  if (GO_TRUE.includes(value)) return true
  if (GO_FALSE.includes(value)) return false
  return undefined
}

/**
 * rewriteGoBooleans turns `--flag=true|false` for the boolean flags `names` into commander's
 * `--flag` / `--no-flag`, leaving everything after `--` alone; returns pflag's error text for a
 * value that is not a boolean.
 */
export function rewriteGoBooleans(
  args: readonly string[],
  names: readonly string[],
): { args: string[] } | { error: string } {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--') {
      out.push(...args.slice(i))
      break
    }
    const m = /^--([a-z-]+)=(.*)$/s.exec(arg)
    const name = m?.[1]
    if (!m || name === undefined || !names.includes(name)) {
      out.push(arg)
      continue
    }
    const value = m[2] ?? ''
    const parsed = parseGoBoolean(value)
    if (parsed === undefined) {
      return {
        error: `invalid argument "${value}" for "--${name}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`,
      }
    }
    out.push(parsed ? `--${name}` : `--no-${name}`)
  }
  return { args: out }
}

/**
 * acceptGoBooleans makes `cmd` accept `--flag=true|false` for the boolean flags `names`
 * (declared on `cmd` already), adding their hidden `--no-` forms.
 */
export function acceptGoBooleans(cmd: Command, names: readonly string[]): void {
  for (const name of names) cmd.addOption(new Option(`--no-${name}`).hideHelp())
  const parse = cmd.parseOptions.bind(cmd)
  cmd.parseOptions = (args: string[]) => {
    const rewritten = rewriteGoBooleans(args, names)
    if ('error' in rewritten) return cmd.error(`error: ${rewritten.error}`)
    return parse(rewritten.args)
  }
}

/** splitSlice splits the values of a repeatable comma-separated flag (pflag's StringSlice). */
export function splitSlice(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => (v === '' ? [] : v.split(',')))
}

/**
 * parseGoDuration reads a duration as Go's time.ParseDuration does (`90m`, `1h30m`, `1.5h`,
 * `-2s`, a bare `0`), in milliseconds; throws with Go's error text (`time: ...`).
 */
export function parseGoDuration(input: string): number {
  const quoted = JSON.stringify(input)
  let rest = input
  let negative = false
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-')
    rest = rest.slice(1)
  }
  if (rest === '0') return 0
  if (rest === '') throw new Error(`time: invalid duration ${quoted}`)
  let total = 0
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest)!
    const [whole, int = '', frac] = number
    if (int === '' && (frac ?? '') === '') throw new Error(`time: invalid duration ${quoted}`)
    rest = rest.slice(whole.length)
    const unit = /^[^\d.]*/.exec(rest)![0]
    if (unit === '') throw new Error(`time: missing unit in duration ${quoted}`)
    const ms = GO_DURATION_UNIT_MS[unit]
    if (ms === undefined) {
      throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`)
    }
    rest = rest.slice(unit.length)
    total += Number(`${int || '0'}.${frac || '0'}`) * ms
  }
  return negative ? -total : total
}

/**
 * parseGoInt reads an integer as pflag's int flags do (strconv.ParseInt with base 0: decimal,
 * `0x`, `0o`, `0b`, or a leading `0` for octal); throws with strconv's error text.
 */
export function parseGoInt(input: string): number {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9]\d*)$/.exec(input)
  if (!m) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(input)}: invalid syntax`)
  const digits = m[2]!
  const value = /^0[0-7]+$/.test(digits) ? parseInt(digits.slice(1), 8) : Number(digits)
  if (!Number.isSafeInteger(value)) {
    throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(input)}: value out of range`)
  }
  return m[1] === '-' ? -value : value
}

/**
 * flagValue parses a flag's value with `parse`, reporting a bad one as pflag does:
 * `invalid argument "<value>" for "--<name>" flag: <reason>`.
 */
export function flagValue<T>(name: string, value: string, parse: (v: string) => T): T {
  try {
    return parse(value)
  } catch (err) {
    throw new UsageError(
      `invalid argument ${JSON.stringify(value)} for "--${name}" flag: ${(err as Error).message}`,
    )
  }
}
