/**
 * Streams of scheduled tags written straight into a store, for the suites and benches that need
 * thousands of them: each status already holds the digest the registry serves, and each stream
 * carries the annotation of an import done, so the tag-import controller leaves it alone and
 * only the scheduled checks send requests to the registry.
 */
import { ANNOTATIONS, type ImageStream } from '../../src/api/index.js'

/**
 * scheduledStream is stream `name` with a scheduled Legacy tag `t-I` for the I-th of `sources`,
 * each status item at `digest` in `repository` (HOST/PATH).
 */
export function scheduledStream(
  namespace: string,
  name: string,
  sources: readonly string[],
  repository: string,
  digest: string,
): ImageStream {
  const created = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
  const names = sources.map((_, i) => `t-${i}`)
  return {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: {
      name,
      namespace,
      generation: 1,
      annotations: { [ANNOTATIONS.dockerRepositoryCheck]: created },
    },
    spec: {
      tags: names.map((tag, i) => ({
        name: tag,
        from: { kind: 'DockerImage', name: sources[i]! },
        importPolicy: { scheduled: true, insecure: true, importMode: 'Legacy' },
        referencePolicy: { type: 'Source' },
        generation: 1,
      })),
    },
    status: {
      dockerImageRepository: '',
      tags: names.map((tag) => ({
        tag,
        items: [
          {
            created,
            dockerImageReference: `${repository}@${digest}`,
            image: digest,
            generation: 1,
          },
        ],
      })),
    },
  }
}
