/**
 * Docker Hub's names. OpenShift's library-go and containers/image treat all three aliases as Hub
 * and talk to registry-1.docker.io (docs/registry-protocol.md#docker-hub); distribution/reference
 * folds only index.docker.io, so `registry-1.docker.io/busybox` would 404 there (row 7 of
 * parse.test.ts).
 */

/** DOCKER_HUB is the canonical registry name of Docker Hub. */
export const DOCKER_HUB = 'docker.io'

/** DOCKER_HUB_API_HOST is the host that serves Docker Hub's /v2/ API. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io'

/** DOCKER_HUB_ALIASES are the lowercase host names that all mean Docker Hub. */
export const DOCKER_HUB_ALIASES: readonly string[] = Object.freeze([
  DOCKER_HUB,
  'index.docker.io',
  DOCKER_HUB_API_HOST,
])

/** registryApiHost maps a canonical registry to the host its API is served from. */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry
}
