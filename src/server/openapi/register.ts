/**
 * The OpenAPI routes (docs/kubernetes-api.md#openapi): `/openapi/v3`, one
 * `/openapi/v3/<group-version>` per document, and `/openapi/v2`. kubectl's
 * create/apply/replace/edit fetch the v3 index and the group version's document before writing
 * (to learn that the server validates fields itself, and how lists merge), and
 * `kubectl explain` renders the v3 schemas. Older kubectl (1.20) and
 * `explain --output=plaintext-openapiv2` read `/openapi/v2`, which kubectl asks for as
 * protobuf only (k8s.io/client-go discovery's OpenAPISchema).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { authorizeNonResourceRequest } from '../auth/index.js'
import { notAcceptable } from '../status.js'
import type { OpenAPIResource } from './components.js'
import {
  buildOpenAPIDocuments,
  openAPIGroupVersionKeys,
  openAPIHash,
  type GroupVersionDocument,
  type OpenAPIDocuments,
} from './documents.js'

/**
 * V2_PROTOBUF_TYPE is the Content-Type of the v2 protobuf answer, as kube-openapi sends it: the
 * `@` spelling kubectl puts in its Accept header breaks Go's mime parser in a response.
 */
export const V2_PROTOBUF_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf'

const V2_PROTOBUF_SUBTYPES = new Set([
  'com.github.proto-openapi.spec.v2@v1.0+protobuf',
  'com.github.proto-openapi.spec.v2.v1.0+protobuf',
])

interface MediaRange {
  readonly type: string
  readonly subtype: string
}

/** acceptedRanges are an Accept header's media ranges, most preferred first (q order, then header order). */
function acceptedRanges(accept: string | undefined): MediaRange[] {
  if (accept === undefined || accept.trim() === '') return [{ type: '*', subtype: '*' }]
  return accept
    .split(',')
    .map((text, index) => {
      const [range = '', ...params] = text.split(';').map((s) => s.trim())
      const qParam = params.find((p) => /^q\s*=/i.test(p))
      const q = qParam === undefined ? 1 : Number(qParam.slice(qParam.indexOf('=') + 1))
      const slash = range.indexOf('/')
      const type = (slash < 0 ? range : range.slice(0, slash)).toLowerCase()
      const subtype = (slash < 0 ? '' : range.slice(slash + 1)).toLowerCase()
      return { type, subtype, q: Number.isFinite(q) ? q : 0, index }
    })
    .filter((r) => r.q > 0 && r.type !== '')
    .sort((a, b) => b.q - a.q || a.index - b.index)
}

function matches(range: MediaRange, type: string, subtype: string): boolean {
  return (
    (range.type === '*' || range.type === type) &&
    (range.subtype === '*' || range.subtype === subtype)
  )
}

/** acceptsJSON says whether an Accept header admits `application/json`. */
export function acceptsJSON(accept: string | undefined): boolean {
  return acceptedRanges(accept).some((r) => matches(r, 'application', 'json'))
}

/** V2Format is what `/openapi/v2` answers with. */
export type V2Format = 'protobuf' | 'json'

/**
 * negotiateV2 picks the `/openapi/v2` representation in the client's order of preference.
 * kubectl asks only for protobuf, and any JSON answer to it fails (`proto: cannot parse invalid
 * wire-format data`); JSON goes to clients that accept it (wildcards included, as the apiserver).
 */
export function negotiateV2(accept: string | undefined): V2Format | undefined {
  for (const r of acceptedRanges(accept)) {
    if (r.type === 'application' && V2_PROTOBUF_SUBTYPES.has(r.subtype)) return 'protobuf'
    if (matches(r, 'application', 'json')) return 'json'
  }
  return undefined
}

/** etagMatches is If-None-Match against a strong entity tag (list or `*`). */
function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false
  return ifNoneMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag)
}

function sendJSON(reply: FastifyReply, json: string): FastifyReply {
  // A Buffer goes out byte for byte: the hash in the index is over exactly these bytes.
  return reply.header('content-type', 'application/json').send(Buffer.from(json, 'utf8'))
}

function serveGroupVersion(docOf: () => GroupVersionDocument) {
  return (request: FastifyRequest, reply: FastifyReply) => {
    void reply.header('vary', 'Accept')
    if (!acceptsJSON(request.headers.accept)) {
      throw notAcceptable('only the following media types are accepted: application/json')
    }
    const doc = docOf()
    const { hash } = request.query as { hash?: unknown }
    if (typeof hash === 'string' && hash !== '') {
      // A stale hash (the server was upgraded since the index was read): send the client to
      // the current document, as kube-openapi does, rather than serve new content as immutable.
      if (hash !== doc.hash) return reply.redirect(doc.serverRelativeURL, 301)
      // The hash changes with the content, so the URL names one immutable document.
      void reply
        .header('cache-control', 'public, immutable')
        .header('expires', new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString())
    } else {
      void reply.header('cache-control', 'no-cache')
    }
    const etag = `"${doc.hash}"`
    void reply.header('etag', etag)
    if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send()
    return sendJSON(reply, doc.json)
  }
}

/** V2Document is `/openapi/v2` in one format: its bytes, Content-Type and entity tag. */
interface V2Document {
  readonly body: Buffer
  readonly type: string
  readonly etag: string
}

/**
 * registerOpenAPI adds `/openapi/v3`, the per-group-version documents and `/openapi/v2` for
 * `resources` (src/api's RESOURCE_LIST). Like discovery, every route needs an authenticated
 * user (the global hook) who may read the path (authorizeNonResourceRequest). The documents
 * are built at the first request for one rather than before the server listens: a start is
 * ready sooner, and kubectl asks for them only before a write.
 */
export function registerOpenAPI(app: FastifyInstance, resources: readonly OpenAPIResource[]): void {
  let built: OpenAPIDocuments | undefined
  const docs = () => (built ??= buildOpenAPIDocuments(resources))
  const route = { preHandler: authorizeNonResourceRequest }

  let indexETag: string | undefined
  app.get('/openapi/v3', route, (request, reply) => {
    const { indexJSON } = docs()
    indexETag ??= `"${openAPIHash(indexJSON)}"`
    // The index names the current hashes, so it must always be revalidated.
    void reply.header('cache-control', 'no-cache').header('etag', indexETag)
    if (etagMatches(request.headers['if-none-match'], indexETag)) return reply.code(304).send()
    return sendJSON(reply, indexJSON)
  })
  for (const key of openAPIGroupVersionKeys(resources)) {
    app.get(
      `/openapi/v3/${key}`,
      route,
      serveGroupVersion(() => docs().groupVersions.get(key)!),
    )
  }

  let v2: { json: V2Document; protobuf: V2Document } | undefined
  const v2Documents = () => {
    if (v2) return v2
    const { swaggerJSON, swaggerProtobuf } = docs()
    return (v2 = {
      json: {
        body: Buffer.from(swaggerJSON, 'utf8'),
        type: 'application/json',
        etag: `"${openAPIHash(swaggerJSON)}"`,
      },
      protobuf: {
        body: swaggerProtobuf,
        type: V2_PROTOBUF_TYPE,
        etag: `"${openAPIHash(swaggerProtobuf)}"`,
      },
    })
  }
  app.get('/openapi/v2', route, (request, reply) => {
    void reply.header('vary', 'Accept')
    const format = negotiateV2(request.headers.accept)
    if (format === undefined) {
      throw notAcceptable(
        `only the following media types are accepted: application/json, ${V2_PROTOBUF_TYPE}`,
      )
    }
    const doc = v2Documents()[format]
    // kubectl keeps the document in its HTTP cache and revalidates it with If-None-Match.
    void reply.header('cache-control', 'no-cache').header('etag', doc.etag)
    if (etagMatches(request.headers['if-none-match'], doc.etag)) return reply.code(304).send()
    return reply.header('content-type', doc.type).send(doc.body)
  })
}
