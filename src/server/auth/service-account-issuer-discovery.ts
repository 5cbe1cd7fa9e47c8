/**
 * Service account issuer discovery, as kube-apiserver serves it (kubernetes
 * pkg/serviceaccount/openidmetadata.go): `/.well-known/openid-configuration` names the issuer
 * and where its keys are, and `/openid/v1/jwks` lists the public key, so a party outside the
 * server can verify service-account tokens itself. Both need an authenticated caller, as the
 * apiserver's default policy (a service account or the admin) has it.
 */
import type { FastifyInstance } from 'fastify'
import { exportJWK } from 'jose'
import { authorizeNonResourceRequest } from './index.js'
import type { SigningKey } from './service-account-key.js'

/** The two paths, as kube-apiserver serves them. */
export const ISSUER_DISCOVERY_PATHS = {
  configuration: '/.well-known/openid-configuration',
  jwks: '/openid/v1/jwks',
} as const

/** registerIssuerDiscovery adds the OpenID configuration and the JWKS of `key`. */
export async function registerIssuerDiscovery(
  app: FastifyInstance,
  opts: { readonly key: SigningKey; readonly issuer: string },
): Promise<void> {
  const jwk = await exportJWK(opts.key.publicKey)
  const jwks = JSON.stringify({ keys: [{ use: 'sig', ...jwk, kid: opts.key.keyId, alg: 'RS256' }] })
  app.get(
    ISSUER_DISCOVERY_PATHS.configuration,
    { preHandler: authorizeNonResourceRequest },
    async (request, reply) =>
      reply.type('application/json').send({
        issuer: opts.issuer,
        // The issuer's own name need not resolve (it is the in-cluster service name); the keys
        // are served here, so the URL names this server as the caller reached it.
        jwks_uri: `${request.protocol}://${request.host}${ISSUER_DISCOVERY_PATHS.jwks}`,
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      }),
  )
  app.get(
    ISSUER_DISCOVERY_PATHS.jwks,
    { preHandler: authorizeNonResourceRequest },
    async (_r, reply) => reply.type('application/jwk-set+json').send(jwks),
  )
}
