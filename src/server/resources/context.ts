/**
 * What every resource handler works with: the store, the server settings the strategies need,
 * a clock for the ages in Tables (tests pin it) and the background namespace cleanup.
 */
import type { ImportMode } from '../../api/index.js'
import type { RegistryAllowList } from '../../reference/index.js'
import type { Store } from '../../storage/index.js'

/** ResourceSettings is the part of cmd/serve's ServerSettings the resource handlers read. */
export interface ResourceSettings {
  /** `host[:port]` of the integrated registry; a function because it is known only once listening. */
  readonly registryHostname: () => string
  /** `host[:port]` for status.publicDockerImageRepository (`--registry-public-hostname`); none leaves it out. */
  readonly registryPublicHostname?: string | undefined
  /** The import mode given to spec tags that set none (`--default-import-mode`). */
  readonly defaultImportMode?: ImportMode
  /** The registries references may name (`--allowed-registries-for-import`); undefined allows all. */
  readonly allowedRegistries?: RegistryAllowList | undefined
}

/** ResourceContext is shared by every handler of one server. */
export interface ResourceContext {
  readonly store: Store
  readonly settings: ResourceSettings
  /** Milliseconds since the epoch, for Table ages. */
  readonly now: () => number
  /** terminateNamespace starts emptying and removing a namespace a DELETE marked terminating. */
  readonly terminateNamespace: (name: string) => void
}
