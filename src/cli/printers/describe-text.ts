/**
 * The building blocks of oc's describers (pkg/helpers/describe/helpers.go): `Label:` cells,
 * sorted `key=value` maps, object metadata and relative times, all aligned at the end by a
 * tabwriter padding with tabs (minwidth 0, tabwidth 8, padding 1, padchar '\t').
 */
import type { ObjectMeta } from '../../api/meta.js'
import { dockerHumanDuration } from '../../lib/human-duration.js'
import { tabwrite } from './tabwriter.js'

const NONE = '<none>'

// Go's time.Duration tops out at 2^63-1 ns, so oc's `now.Sub(t)` of the zero time (an absent
// timestamp) saturates there and reads "292 years".
const MAX_GO_DURATION_MS = 9_223_372_036_854

/** byGoString orders strings as Go's sort.Strings does (by UTF-8 bytes). */
export function byGoString(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

/** since is the go-units HumanDuration from `timestamp` to `now`; absent or invalid counts as Go's zero time. */
export function since(timestamp: string | undefined, now: Date): string {
  const t = timestamp === undefined ? NaN : Date.parse(timestamp)
  const ms = Number.isNaN(t) ? MAX_GO_DURATION_MS : Math.min(now.getTime() - t, MAX_GO_DURATION_MS)
  return dockerHumanDuration(ms)
}

/** DescribeText collects describer lines and renders them through oc's tabwriter. */
export class DescribeText {
  private text = ''

  /** raw appends text as is (tabs still separate cells). */
  raw(text: string): void {
    this.text += text
  }

  /** field is oc's formatString: `Label:` then each line of the value in the next cell; empty is `<none>`. */
  field(label: string, value: string): void {
    const lines = (value === '' ? NONE : value).split('\n')
    this.text += `${label}:${lines.map((line) => `\t${line}\n`).join('')}`
  }

  /** map is oc's formatMapStringString: sorted `key=value`, one a line, or `<none>`. */
  map(label: string, items: Readonly<Record<string, string>> | undefined): void {
    const keys = Object.keys(items ?? {}).sort(byGoString)
    if (keys.length === 0) {
      this.field(label, '')
      return
    }
    keys.forEach((key, i) => {
      const pair = `${key}=${items![key]}`
      if (i === 0) this.field(label, pair)
      else this.text += `\t${pair}\n`
    })
  }

  /** annotations is oc's formatAnnotations: `Description` pulled out of the rest when set. */
  annotations(annotations: Readonly<Record<string, string>> | undefined): void {
    const { description = '', ...rest } = annotations ?? {}
    if (description !== '') this.field('Description', description)
    this.map('Annotations', rest)
  }

  /** meta is oc's formatMeta: Name, Namespace and Created when set, Labels, Annotations. */
  meta(meta: ObjectMeta, now: Date): void {
    this.field('Name', meta.name ?? '')
    if (meta.namespace) this.field('Namespace', meta.namespace)
    if (meta.creationTimestamp) this.field('Created', `${since(meta.creationTimestamp, now)} ago`)
    this.map('Labels', meta.labels)
    this.annotations(meta.annotations)
  }

  /** render aligns the collected text. */
  render(): string {
    return tabwrite(this.text, { minwidth: 0, padding: 1, padchar: '\t', tabwidth: 8 })
  }
}
