/**
 * Bounded `registry` label values (docs/imports.md#visibility-schedule-and-metrics): a registry
 * host is labelled by its canonical spelling, so `0x7f.1:15000` and `2130706433:15000` count as
 * 127.0.0.1:15000, and each metric takes at most a fixed number of distinct hosts, the rest
 * counted under `other`, so references written by users cannot grow the series without bound
 * (Prometheus' advice on label cardinality: https://prometheus.io/docs/practices/naming/#labels).
 */

/** MAX_REGISTRY_LABELS is how many distinct registries one metric labels before `other`. */
export const MAX_REGISTRY_LABELS = 100

/** OTHER_REGISTRY is the label of registries past the cap, and of hosts that do not parse. */
export const OTHER_REGISTRY = 'other'

/**
 * canonicalHost spells `host[:port]` as the WHATWG URL parser does for an https URL: IPv4 in
 * every numeric form dotted-decimal, IPv6 compressed lowercase in brackets, names lowercase
 * (and IDNA in punycode), port 443 (the registry default) dropped; undefined when it is no host.
 */
export function canonicalHost(host: string): string | undefined {
  if (host === '' || /[/?#@\\\s]/.test(host)) return undefined
  try {
    return new URL(`https://${host}`).host
  } catch {
    return undefined
  }
}

/** RegistryLabels gives one metric's `registry` label values: canonical, and capped. */
export class RegistryLabels {
  readonly #seen = new Set<string>()
  readonly #max: number

  constructor(max: number = MAX_REGISTRY_LABELS) {
    this.#max = max
  }

  /** label is the value to count `host` under: its canonical spelling, or `other`. */
  label(host: string): string {
    const canonical = canonicalHost(host)
    if (canonical === undefined) return OTHER_REGISTRY
    if (this.#seen.has(canonical)) return canonical
    if (this.#seen.size >= this.#max) return OTHER_REGISTRY
    this.#seen.add(canonical)
    return canonical
  }
}
