/**
 * The route of a read-only subresource of image streams that is not a stored object
 * (`schedule`, `secrets`, `layers`): GET only, authorized as a get of `imagestreams/<sub>`; every
 * other method is 405, as for a subresource.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { IMAGE_GROUP, RESOURCES } from '../../../api/index.js'
import { authorizeRequest } from '../../auth/index.js'
import { methodNotAllowed } from '../../status.js'

const { imagestreams } = RESOURCES

/** routeStreamView adds `.../namespaces/<ns>/imagestreams/<name>/<subresource>`, answered by `answer`. */
export function routeStreamView(
  app: FastifyInstance,
  subresource: string,
  answer: (
    request: FastifyRequest,
    reply: FastifyReply,
    namespace: string,
    name: string,
  ) => Promise<unknown>,
): void {
  app.route<{ Params: { namespace: string; name: string } }>({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: `/apis/${IMAGE_GROUP}/${imagestreams.version}/namespaces/:namespace/${imagestreams.plural}/:name/${subresource}`,
    handler: async (request, reply) => {
      if (request.method !== 'GET') throw methodNotAllowed()
      const { namespace, name } = request.params
      await authorizeRequest(request, {
        kind: 'resource',
        verb: 'get',
        group: IMAGE_GROUP,
        resource: imagestreams.plural,
        subresource,
        namespace,
        name,
      })
      return answer(request, reply, namespace, name)
    },
  })
}
