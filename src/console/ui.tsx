/** Small shared pieces of the console's pages. */
import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { ApiError, canI } from './api.js'

/** Loaded is a fetch's state: loading, its value, or its error message. */
export type Loaded<T> =
  | { readonly state: 'loading' }
  | { readonly state: 'ok'; readonly value: T }
  | { readonly state: 'error'; readonly message: string }

/** useLoad runs `load` whenever `deps` change and returns its state. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' })
  useEffect(() => {
    let live = true
    setLoaded({ state: 'loading' })
    load().then(
      (value) => live && setLoaded({ state: 'ok', value }),
      (err: unknown) => live && setLoaded({ state: 'error', message: messageOf(err) }),
    )
    return () => {
      live = false
    }
    // The caller names in deps what load reads.
  }, deps)
  return loaded
}

/** useCan asks once per namespace whether the user may `verb` `resource` there. */
export function useCan(verb: string, resource: string, namespace: string, group?: string): boolean {
  const [allowed, setAllowed] = useState(false)
  useEffect(() => {
    let live = true
    canI(verb, resource, namespace, group).then(
      (yes) => live && setAllowed(yes),
      () => live && setAllowed(false),
    )
    return () => {
      live = false
    }
  }, [verb, resource, namespace, group])
  return allowed
}

/** messageOf is what a user is shown for a failure: the server's own message when there is one. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message
  return err instanceof Error ? err.message : String(err)
}

/** Page is a page's frame: its heading (focused on arrival for screen readers) and body. */
export function Page(props: {
  title: string
  actions?: ComponentChildren
  children: ComponentChildren
}) {
  useEffect(() => {
    document.title = `${props.title} · Image streams console`
  }, [props.title])
  return (
    <main id="main">
      <div class="page-head">
        <h1 tabIndex={-1}>{props.title}</h1>
        {props.actions && <div class="actions">{props.actions}</div>}
      </div>
      {props.children}
    </main>
  )
}

/** Status shows a loading note or an error in an ARIA live region. */
export function LoadStatus<T>(props: { loaded: Loaded<T> }) {
  if (props.loaded.state === 'loading') return <p role="status">Loading…</p>
  if (props.loaded.state === 'error')
    return (
      <p role="alert" class="error">
        {props.loaded.message}
      </p>
    )
  return null
}

/** Digest shows a digest shortened, with the whole one in its title and for copying. */
export function Digest(props: { value: string }) {
  const short = props.value.replace(/^sha256:/, '').slice(0, 12)
  return (
    <code class="digest" title={props.value} data-digest={props.value}>
      {short}
    </code>
  )
}

/** span renders a number of seconds in its largest whole unit: 42s, 5m, 3h, 2d. */
function span(s: number): string {
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.round(s / 60)}m`
  if (s < 86400) return `${Math.round(s / 3600)}h`
  return `${Math.round(s / 86400)}d`
}

/** ago says how long ago an RFC 3339 time was, as of `now` (a list passes one for all its rows). */
export function ago(time: string | undefined, now = Date.now()): string {
  if (!time) return ''
  return `${span(Math.max(0, Math.round((now - Date.parse(time)) / 1000)))} ago`
}

/** until says how long until an RFC 3339 time, or that it has come. */
export function until(time: string, now = Date.now()): string {
  const s = Math.round((Date.parse(time) - now) / 1000)
  return s > 0 ? `in ${span(s)}` : 'due now'
}

/** bytes formats a size for people. */
export function bytes(n: number | undefined): string {
  if (n === undefined) return ''
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / 1024 / 1024).toFixed(1)} MiB`
}
