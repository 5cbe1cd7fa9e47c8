/** Public entry of the integrated registry: the `/v2/` plugin and its dependencies. */
export { registerDistribution, type Distribution, type DistributionDeps } from './routes.js'
export type { RegistryObserver, RegistryUser } from './dialect.js'
export { PULL_RECORD_GRANULARITY_MS } from './pull-records.js'
export { BlobCache, type BlobCacheOptions, type ByteRange, type CacheLogger } from './blob-cache.js'
