/**
 * useLiveList lists a collection and follows it through the API's watch, so the page shows each
 * change as the server commits it; after the server ends a watch (or it fails) it lists again.
 */
import { useLayoutEffect, useState } from 'preact/hooks'
import { api, watch, type KubeList, type KubeObject } from './api.js'
import { messageOf, type Loaded } from './ui.js'

/** How long to wait before listing again after a watch failed. */
const RETRY_MS = 2000

/** useLiveList returns the live items of `path` (a collection URL, selectors allowed). */
export function useLiveList<T extends KubeObject>(path: string): Loaded<T[]> {
  const [loaded, setLoaded] = useState<Loaded<T[]>>({ state: 'loading' })
  // A layout effect, so that the list is requested as the page mounts rather than a frame later.
  useLayoutEffect(() => {
    const stop = new AbortController()
    const follow = async () => {
      while (!stop.signal.aborted) {
        try {
          const list = await api<KubeList<T>>('GET', path)
          const items = new Map(list.items.map((i) => [i.metadata.name, i]))
          setLoaded({ state: 'ok', value: [...items.values()] })
          await watch<T>(
            path,
            list.metadata.resourceVersion,
            (event) => {
              if (event.type === 'ADDED' || event.type === 'MODIFIED') {
                items.set(event.object.metadata.name, event.object)
              } else if (event.type === 'DELETED') {
                items.delete(event.object.metadata.name)
              } else return
              setLoaded({ state: 'ok', value: [...items.values()] })
            },
            stop.signal,
          )
        } catch (err) {
          if (stop.signal.aborted) return
          setLoaded((old) =>
            old.state === 'ok' ? old : { state: 'error', message: messageOf(err) },
          )
          await new Promise((r) => setTimeout(r, RETRY_MS))
        }
      }
    }
    void follow()
    return () => stop.abort()
  }, [path])
  return loaded
}
