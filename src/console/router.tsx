/** Client-side routes under /console/: the History API, so every page has its own URL. */
import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'

const listeners = new Set<() => void>()

/** navigate shows the console page at `path` (absolute, under /console/). */
export function navigate(path: string): void {
  history.pushState(null, '', path)
  for (const l of listeners) l()
}

/** useLocation re-renders on navigation and returns the current URL. */
export function useLocation(): URL {
  const [, setTick] = useState(0)
  useEffect(() => {
    const changed = () => setTick((t) => t + 1)
    listeners.add(changed)
    addEventListener('popstate', changed)
    return () => {
      listeners.delete(changed)
      removeEventListener('popstate', changed)
    }
  }, [])
  return new URL(location.href)
}

/** Link is an anchor that navigates inside the console without reloading it. */
export function Link(props: { href: string; class?: string; children: ComponentChildren }) {
  return (
    <a
      href={props.href}
      class={props.class}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return
        e.preventDefault()
        navigate(props.href)
      }}
    >
      {props.children}
    </a>
  )
}

/** consolePath builds a console URL from path segments, each encoded. */
export function consolePath(...segments: string[]): string {
  return `/console/${segments.map(encodeURIComponent).join('/')}`
}
