/**
 * Human-readable sizes and ages exactly as oc prints them: docker/go-units HumanSize and
 * k8s.io/apimachinery duration.ShortHumanDuration.
 */

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'] as const

/**
 * formatG is Go's `%.<precision>g` for 0 or a value in [1, 10^precision), the range humanSize
 * produces: rounded to `precision` significant digits, half to even, trailing zeros dropped.
 */
function formatG(value: number, precision: number): string {
  let s = value.toPrecision(precision)
  // toPrecision rounds an exact tie up, Go rounds it to even. toFixed(60) is the exact decimal
  // expansion of a double in that range (at most 52 fractional binary digits), so a tie shows.
  const [whole = '', fraction = ''] = value.toFixed(60).split('.')
  const significant = `${whole}${fraction}`.replace(/0+$/, '')
  const tie = value >= 1 && significant.length === precision + 1 && significant.endsWith('5')
  if (tie && Number(significant[precision - 1]) % 2 === 0) {
    s =
      whole.length >= precision ? whole : `${whole}.${fraction.slice(0, precision - whole.length)}`
  }
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s
}

/** humanSize renders bytes in decimal units with 4 significant digits: `2.814MB`, `512B`. */
export function humanSize(bytes: number): string {
  let size = bytes
  let unit = 0
  while (size >= 1000 && unit < DECIMAL_UNITS.length - 1) {
    size /= 1000
    unit++
  }
  return `${formatG(size, 4)}${DECIMAL_UNITS[unit]}`
}

/** shortHumanDuration renders an age in its largest whole unit: `45s`, `12m`, `5d`, `2y`. */
export function shortHumanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000)
  // Up to a second of clock skew between hosts still reads as "now".
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.trunc(ms / 60_000)
  if (minutes < 60) return `${minutes}m`
  const hours = Math.trunc(ms / 3_600_000)
  if (hours < 24) return `${hours}h`
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)}y`
}
