/**
 * library-go's PrioritizeTags: the order in which a repository import takes tags when it cannot
 * take them all (docs/imports.md#repository-imports) and in which `describe is` lists them.
 * `latest`, then minor versions (`5.1`, `v5.1`, `5.1-rc1`) newest first, then full versions
 * (`5.1.3`, `v5.1.3-x`) newest first, then everything else in lexical order.
 */

interface Version {
  readonly numbers: readonly number[]
  /** Pre-release suffix; a release sorts after its pre-releases. */
  readonly pre: string
}

const MINOR = /^v?(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/
const FULL = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+]([0-9A-Za-z.+-]+))?$/

function version(re: RegExp, tag: string, parts: number): Version | undefined {
  const m = re.exec(tag)
  if (!m) return undefined
  return {
    numbers: Array.from({ length: parts }, (_, i) => Number(m[i + 1])),
    pre: m[parts + 1] ?? '',
  }
}

/** Newest first: higher numbers first; a release before its pre-releases. */
function compareDescending(a: Version, b: Version): number {
  for (let i = 0; i < a.numbers.length; i++) {
    const d = (b.numbers[i] ?? 0) - (a.numbers[i] ?? 0)
    if (d !== 0) return d
  }
  if (a.pre === b.pre) return 0
  if (a.pre === '') return -1
  if (b.pre === '') return 1
  return b.pre < a.pre ? -1 : 1
}

/** prioritizeTags returns the distinct tags in import priority order. */
export function prioritizeTags(tags: readonly string[]): string[] {
  const distinct = [...new Set(tags)]
  const minor: [string, Version][] = []
  const full: [string, Version][] = []
  const rest: string[] = []
  let latest = false
  for (const tag of distinct) {
    if (tag === 'latest') {
      latest = true
      continue
    }
    const m = version(MINOR, tag, 2)
    if (m) {
      minor.push([tag, m])
      continue
    }
    const f = version(FULL, tag, 3)
    if (f) full.push([tag, f])
    else rest.push(tag)
  }
  const byVersion = (a: [string, Version], b: [string, Version]) =>
    compareDescending(a[1], b[1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
  return [
    ...(latest ? ['latest'] : []),
    ...minor.sort(byVersion).map(([t]) => t),
    ...full.sort(byVersion).map(([t]) => t),
    ...rest.sort(),
  ]
}
