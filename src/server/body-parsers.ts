/**
 * Request body parsers for the media types kubectl and oc send
 * (docs/kubernetes-api.md#request-bodies-and-content-types): JSON and the three JSON patch types,
 * YAML for server-side apply, and Kubernetes protobuf for core kinds. Each parser keeps the exact
 * bytes in `request.rawBody` (strict field validation must see duplicate keys, which parsing loses)
 * and leaves the parsed value in `request.body`. A body without Content-Type is read as JSON; any
 * other type is a 415 Status. An empty body parses to undefined, so a DELETE sent with a
 * Content-Type but no options is not an error. A JSON or YAML body nested deeper than the
 * limit (body-depth.ts) is a 400 before any code walks it; protobuf bodies are the fixed, shallow
 * schemas of the core kinds.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { parse as parseYAML } from 'yaml'
import { DEPTH_PROBLEM, exceedsDepth, exceedsFlowDepth } from './body-depth.js'
import { decodeKubernetesProtobuf, UnsupportedProtobufError } from './protobuf/index.js'
import { badRequest, UNKNOWN_BODY_FORMAT, unsupportedMediaType } from './status.js'

/** JSON_MEDIA_TYPES are the bodies parsed as JSON: objects, merge, JSON and strategic merge patches. */
export const JSON_MEDIA_TYPES = [
  'application/json',
  'application/merge-patch+json',
  'application/json-patch+json',
  'application/strategic-merge-patch+json',
] as const

/** YAML_MEDIA_TYPES are the bodies parsed as YAML: server-side apply (kubectl sends JSON, a YAML subset) and plain YAML objects. */
export const YAML_MEDIA_TYPES = ['application/apply-patch+yaml', 'application/yaml'] as const

/** PROTOBUF_MEDIA_TYPE is the Kubernetes protobuf envelope kubectl 1.32 uses for Secret, ServiceAccount and Namespace. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf'

/** ProtobufDecoder turns a Kubernetes protobuf body into the JSON object it encodes; it throws for anything it cannot read. */
export type ProtobufDecoder = (body: Buffer) => Record<string, unknown>

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body exactly as received; undefined for a request without one. */
    rawBody: Buffer | undefined
  }
}

/** requestMediaType is the request's Content-Type without parameters, lower-cased; '' when absent. */
export function requestMediaType(request: FastifyRequest): string {
  const header = request.headers['content-type'] ?? ''
  return (header.split(';')[0] ?? '').trim().toLowerCase()
}

/**
 * registerBodyParsers replaces fastify's parsers with ours. JSON is parsed by fastify's own
 * parser, which answers `__proto__` and `constructor.prototype` keys with an error rather than
 * letting them reach the patch code as ordinary keys.
 */
export function registerBodyParsers(
  app: FastifyInstance,
  opts: { decodeProtobuf?: ProtobufDecoder } = {},
): void {
  const decodeProtobuf = opts.decodeProtobuf ?? decodeKubernetesProtobuf
  const secureJSON = app.getDefaultJsonParser('error', 'error')
  app.decorateRequest('rawBody', undefined)
  app.removeAllContentTypeParsers()

  const parseJSON = (
    request: FastifyRequest,
    body: Buffer,
    done: (err: Error | null, body?: unknown) => void,
  ): void => {
    request.rawBody = body
    if (body.length === 0) {
      done(null, undefined)
      return
    }
    // fastify's default JSON parser is synchronous: it calls back before returning.
    void secureJSON(request, body.toString('utf8'), (err, value) => {
      if (err) done(badRequest(`the request body is not valid JSON: ${jsonProblem(body)}`))
      else if (exceedsDepth(value))
        done(badRequest(`the request body is not valid JSON: ${DEPTH_PROBLEM}`))
      else done(null, value)
    })
  }
  app.addContentTypeParser([...JSON_MEDIA_TYPES], { parseAs: 'buffer' }, parseJSON)

  // A body without Content-Type is JSON, as the apiserver assumes (kubectl 1.20 sends its
  // creates that way); any other media type no parser claims is a 415. Unknown URLs (pushes to
  // the pull-only `/v2/` among them) answer their 404 or 405 without their body being read.
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer' },
    (request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => {
      if (request.is404) done(null, undefined)
      else if (request.headers['content-type'] === undefined) parseJSON(request, body, done)
      else done(unsupportedMediaType(UNKNOWN_BODY_FORMAT))
    },
  )

  app.addContentTypeParser(
    [...YAML_MEDIA_TYPES],
    { parseAs: 'buffer' },
    (request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => {
      request.rawBody = body
      if (body.length === 0) {
        done(null, undefined)
        return
      }
      const text = body.toString('utf8')
      if (exceedsFlowDepth(text)) {
        done(badRequest(`the request body is not valid YAML: ${DEPTH_PROBLEM}`))
        return
      }
      let value: unknown
      try {
        // One document only; aliases are capped by the library (maxAliasCount) against blow-ups.
        value = parseYAML(text, { uniqueKeys: true })
      } catch (err) {
        done(badRequest(`the request body is not valid YAML: ${firstLine(err)}`))
        return
      }
      if (exceedsDepth(value)) {
        done(badRequest(`the request body is not valid YAML: ${DEPTH_PROBLEM}`))
        return
      }
      const poisoned = findPrototypeKey(value)
      if (poisoned) done(badRequest(`the request body may not contain the key ${poisoned}`))
      else done(null, value)
    },
  )

  app.addContentTypeParser(
    PROTOBUF_MEDIA_TYPE,
    { parseAs: 'buffer' },
    (request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void) => {
      request.rawBody = body
      try {
        done(null, decodeProtobuf(body))
      } catch (err) {
        // Anything undecodable is a 415 (kubectl treats it as fatal, with our message).
        const message = err instanceof UnsupportedProtobufError ? err.message : firstLine(err)
        done(unsupportedMediaType(message))
      }
    },
  )
}

/** jsonProblem names where parsing failed without echoing the body (which may hold secret data). */
function jsonProblem(body: Buffer): string {
  try {
    JSON.parse(body.toString('utf8'))
  } catch (syntax) {
    // V8 names the token and position ("Expected ',' or '}' after property value in JSON at
    // position 22"), but for a body that is not JSON at all it quotes the start of the body,
    // which is cut: the body may be a secret.
    if (syntax instanceof SyntaxError)
      return syntax.message.replace(/, ".*" is not valid JSON$/s, '')
  }
  // Valid JSON that the secure parser refused: the one reason is a prototype-poisoning key.
  return 'it may not contain the key "__proto__" or "constructor.prototype"'
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return text.split('\n')[0] ?? text
}

/** findPrototypeKey finds a `__proto__` or `constructor.prototype` key anywhere in a parsed YAML value. */
function findPrototypeKey(value: unknown, depth = 0): string | undefined {
  if (typeof value !== 'object' || value === null || depth > 100) return undefined
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = findPrototypeKey(v, depth + 1)
      if (found) return found
    }
    return undefined
  }
  const record = value as Record<string, unknown>
  for (const key of Object.keys(record)) {
    if (key === '__proto__') return '"__proto__"'
    if (key === 'constructor' && typeof record[key] === 'object' && record[key] !== null) {
      if (Object.hasOwn(record[key], 'prototype')) return '"constructor.prototype"'
    }
    const found = findPrototypeKey(record[key], depth + 1)
    if (found) return found
  }
  return undefined
}
