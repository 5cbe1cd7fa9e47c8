/**
 * Kubernetes resource quantities (`512Mi`, `1G`, `1e9`), as a LimitRange's `max.storage` holds
 * them (k8s.io/apimachinery pkg/api/resource/quantity.go).
 */

const BINARY: Readonly<Record<string, number>> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
}

const DECIMAL: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
}

// quantity.go splitQuantityString: a signed decimal number, then a binary or decimal suffix or
// an exponent.
const QUANTITY =
  /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))((?:[KMGTPE]i)|[numkMGTPE]?|[eE][+-]?[0-9]+)$/

/**
 * parseQuantity reads a quantity as a plain number (bytes for storage); undefined if it is not
 * one. Like ParseQuantity it takes no surrounding space (Quantity's JSON decoding trims first).
 */
export function parseQuantity(value: string): number | undefined {
  const m = QUANTITY.exec(value)
  if (m === null) return undefined
  const number = Number(m[1])
  const suffix = m[2]!
  if (suffix.length > 1 && /^[eE]/.test(suffix)) return number * 10 ** Number(suffix.slice(1))
  const scale = BINARY[suffix] ?? DECIMAL[suffix]
  return scale === undefined ? undefined : number * scale
}
