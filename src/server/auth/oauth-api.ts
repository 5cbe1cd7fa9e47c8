/**
 * The two API calls of OpenShift's user and OAuth groups that `oc` makes around a login:
 * `GET /apis/user.openshift.io/v1/users/~` (who am I: `oc whoami`, and `oc logout` before it
 * deletes) and `DELETE /apis/oauth.openshift.io/v1/oauthaccesstokens/<name>` (`oc logout`).
 * Neither group is listed in discovery: oc's typed clients call these paths directly, and the
 * stored tokens are not for listing (docs/access-control.md#users-and-login).
 */
import type { FastifyInstance } from 'fastify'
import {
  OAUTH_ACCESS_TOKENS_PATH,
  USER_API_PATH,
  USER_API_VERSION,
  USER_GROUP,
} from '../../api/paths.js'
import { NotFoundError, objectKey, type Store } from '../../storage/index.js'
import { notFound } from '../status.js'
import { authorizeRequest } from './index.js'
import { OAUTH_ACCESS_TOKENS, OAUTH_GROUP, type OAuthTokenAuthenticator } from './oauth-tokens.js'

/** OAuthApiOptions are the store of the token objects and the authenticator caching them. */
export interface OAuthApiOptions {
  readonly store: Store
  readonly tokens: OAuthTokenAuthenticator
}

/** registerOAuthApi adds `users/~` and the deletion of OAuth access tokens. */
export function registerOAuthApi(app: FastifyInstance, options: OAuthApiOptions): void {
  app.get(`${USER_API_PATH}/users/~`, async (request) => {
    const user = await authorizeRequest(request, {
      kind: 'resource',
      verb: 'get',
      group: USER_GROUP,
      resource: 'users',
      name: '~',
    })
    // The User of `~` is the caller as authenticated: OpenShift builds it from the request's
    // user info for users it does not store.
    return {
      kind: 'User',
      apiVersion: USER_API_VERSION,
      metadata: { name: user.name, creationTimestamp: null },
      identities: null,
      groups: [...user.groups],
    }
  })

  app.delete<{ Params: { name: string } }>(`${OAUTH_ACCESS_TOKENS_PATH}/:name`, async (request) => {
    const { name } = request.params
    await authorizeRequest(request, {
      kind: 'resource',
      verb: 'delete',
      group: OAUTH_GROUP,
      resource: OAUTH_ACCESS_TOKENS,
      name,
    })
    let deleted
    try {
      deleted = await options.store.delete(objectKey(OAUTH_ACCESS_TOKENS, name))
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw notFound({ group: OAUTH_GROUP, resource: OAUTH_ACCESS_TOKENS }, name)
      }
      throw err
    }
    // At once here; other servers sharing the store learn it from their watch.
    options.tokens.forget(name)
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: {
        name,
        group: OAUTH_GROUP,
        kind: OAUTH_ACCESS_TOKENS,
        uid: deleted.metadata.uid,
      },
    }
  })
}
