/** The image streams of a project, live: search, label filter, sort, failing imports marked. */
import { useEffect, useMemo, useState } from 'preact/hooks'
import { namespaced } from '../api.js'
import { useLiveList } from '../live.js'
import { failingTags, lastUpdate, type ImageStream } from '../model.js'
import { consolePath, Link } from '../router.js'
import { ago, LoadStatus, Page, useCan } from '../ui.js'

/** A parsed label selector term: `key=value`, `key!=value` or `key`. */
type LabelTerm =
  | { readonly key: string; readonly op: '=' | '!='; readonly value: string }
  | { readonly key: string; readonly op: 'exists' }

/** parseSelector reads a selector of `key=value`, `key!=value` and `key` terms, comma separated. */
function parseSelector(selector: string): LabelTerm[] {
  return selector
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((term): LabelTerm => {
      const ne = term.indexOf('!=')
      if (ne > 0)
        return { key: term.slice(0, ne).trim(), op: '!=', value: term.slice(ne + 2).trim() }
      const eq = term.indexOf('=')
      if (eq > 0)
        return {
          key: term.slice(0, eq).trim(),
          op: '=',
          value: term
            .slice(eq + 1)
            .replace(/^=/, '')
            .trim(),
        }
      return { key: term, op: 'exists' }
    })
}

/** matchesTerms tells whether `labels` satisfy every parsed term. */
function matchesTerms(labels: Record<string, string> | undefined, terms: readonly LabelTerm[]) {
  return terms.every((t) =>
    t.op === 'exists'
      ? labels?.[t.key] !== undefined
      : (labels?.[t.key] === t.value) === (t.op === '='),
  )
}

/** matchesLabels applies a selector of `key=value`, `key!=value` and `key` terms, comma separated. */
export function matchesLabels(
  labels: Record<string, string> | undefined,
  selector: string,
): boolean {
  return matchesTerms(labels, parseSelector(selector))
}

/** byName orders stream names; they are lowercase DNS names, so code units order them. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** StreamsPage lists a project's streams. */
export function StreamsPage(props: { namespace: string }) {
  const ns = props.namespace
  const loaded = useLiveList<ImageStream>(namespaced(ns, 'imagestreams'))
  const canImport = useCan('create', 'imagestreamimports', ns)
  const canSecrets = useCan('create', 'secrets', ns, '')
  const [search, setSearch] = useState('')
  const [labels, setLabels] = useState('')
  const [sort, setSort] = useState<'updated' | 'name'>('updated')
  const rows = useMemo(() => {
    if (loaded.state !== 'ok') return []
    const q = search.trim().toLowerCase()
    // The selector is parsed once and the time read once for every row, not per stream.
    const terms = parseSelector(labels)
    const now = Date.now()
    const shown = []
    for (const stream of loaded.value) {
      const name = stream.metadata.name
      if (q !== '' && !name.toLowerCase().includes(q)) continue
      if (!matchesTerms(stream.metadata.labels, terms)) continue
      const updated = lastUpdate(stream)
      shown.push({ stream, name, updated, age: ago(updated, now), failing: failingTags(stream) })
    }
    // RFC 3339 times of one zone order as strings.
    return shown.sort((a, b) =>
      sort === 'name'
        ? byName(a.name, b.name)
        : byName(b.updated, a.updated) || byName(a.name, b.name),
    )
  }, [loaded, search, labels, sort])
  // A mark per rendered list, so that tests and people profiling can time it in the browser.
  useEffect(() => {
    if (loaded.state === 'ok') performance.mark('streams-rendered', { detail: rows.length })
  }, [rows])
  return (
    <Page
      title={`Image streams in ${ns}`}
      actions={
        <>
          {canImport && (
            <Link class="button" href={consolePath('ns', ns, 'import')}>
              Import image
            </Link>
          )}
          {canSecrets && (
            <Link class="button secondary" href={consolePath('ns', ns, 'pull-secrets')}>
              Add pull secret
            </Link>
          )}
        </>
      }
    >
      <nav aria-label="Breadcrumb" class="crumbs">
        <Link href="/console/">Projects</Link> / {ns}
      </nav>
      <div class="filters" role="search">
        <label>
          Search
          <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        </label>
        <label>
          Labels
          <input
            placeholder="app=web,tier"
            value={labels}
            onInput={(e) => setLabels(e.currentTarget.value)}
          />
        </label>
        <label>
          Sort by
          <select
            value={sort}
            onChange={(e) => setSort(e.currentTarget.value === 'name' ? 'name' : 'updated')}
          >
            <option value="updated">Last update</option>
            <option value="name">Name</option>
          </select>
        </label>
      </div>
      <LoadStatus loaded={loaded} />
      {loaded.state === 'ok' && (
        <>
          <p role="status" class="count">
            {rows.length} of {loaded.value.length} streams
          </p>
          <table class="streams">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Tags</th>
                <th scope="col">Updated</th>
                <th scope="col">Imports</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ stream, name, updated, age, failing }) => (
                <tr key={name} class={failing.length > 0 ? 'failing' : undefined}>
                  <th scope="row">
                    <Link href={consolePath('ns', ns, 'streams', name)}>{name}</Link>
                  </th>
                  <td>{(stream.status?.tags ?? []).map((t) => t.tag).join(', ')}</td>
                  <td>
                    <time dateTime={updated}>{age}</time>
                  </td>
                  <td>{failing.length > 0 ? `Failing: ${failing.join(', ')}` : 'OK'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Page>
  )
}
