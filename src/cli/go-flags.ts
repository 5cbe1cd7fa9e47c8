/**
 * pflag's boolean flag syntax for commander: oc users type `--scheduled=true` or
 * `--insecure=false`, which commander rejects for a flag without a value.
 */
import { Option, type Command } from 'commander'

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
