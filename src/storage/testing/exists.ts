/** A test's question "is it still there?", asked of a store. */
import { isStoreError, type ObjectKey, type StoreReader } from '../store.js'

/** exists tells whether the store holds an object at `key`. */
export async function exists(store: StoreReader, key: ObjectKey): Promise<boolean> {
  try {
    await store.get(key)
    return true
  } catch (err) {
    if (isStoreError(err, 'NotFound')) return false
    throw err
  }
}
