/** Go-style durations (`time.ParseDuration`), as flags and annotations spell them. */

/** GO_DURATION_UNIT_MS is milliseconds per unit of Go's time.ParseDuration (both spellings of µ). */
export const GO_DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
}

/** parseDuration reads a Go duration (`1h30m`, `90s`, `1.5h`) into milliseconds; undefined if it is not one. */
export function parseDuration(value: string): number | undefined {
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value)) return undefined
  let total = 0
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(m[1]) * GO_DURATION_UNIT_MS[m[2]!]!
  }
  return total
}
