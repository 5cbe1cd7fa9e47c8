/** Public entry of the integrated registry: the `/v2/` plugin and its dependencies. */
export { registerDistribution, type DistributionDeps, type RegistryUser } from './routes.js'
export { BlobCache, type BlobCacheOptions, type ByteRange, type CacheLogger } from './blob-cache.js'
