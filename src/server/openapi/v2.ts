/**
 * The swagger 2.0 document of `/openapi/v2`, derived from the OpenAPI 3.0 group-version
 * documents so both describe the same paths and schemas: kubectl 1.20 validates and explains
 * from it, kubectl 1.32 reads it for `explain --output=plaintext-openapiv2`. The shapes are the
 * apiserver's (kube-openapi's builder): schemas under `definitions`, a `$ref` with siblings
 * instead of OpenAPI 3's `allOf` wrapper, request bodies as `in: body` parameters, media types
 * as `consumes`/`produces`, and query and path parameters typed directly.
 */
import { isObject, type JsonObject } from './components.js'

const V3_REF = '#/components/schemas/'
const V2_REF = '#/definitions/'
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const

function objects(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : []
}

/** v2Schema re-expresses an OpenAPI 3.0 schema: `$ref`s point at definitions, `allOf: [ref]` becomes the ref. */
export function v2Schema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(v2Schema)
  if (!isObject(schema)) return schema
  const out: JsonObject = {}
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith(V3_REF)) {
      out.$ref = `${V2_REF}${value.slice(V3_REF.length)}`
    } else if (key === 'allOf' && Array.isArray(value) && value.length === 1) {
      // OpenAPI 3.0 forbids siblings of $ref, swagger 2.0 as the apiserver writes it does not.
      Object.assign(out, v2Schema(value[0]))
    } else if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, v2Schema(child)]),
      )
    } else if (key.startsWith('x-') || key === 'enum' || key === 'required') {
      out[key] = value
    } else {
      out[key] = v2Schema(value)
    }
  }
  return out
}

/** v2Parameter is a query or path parameter: its schema's type moves onto the parameter. */
function v2Parameter(parameter: JsonObject): JsonObject {
  const { schema, ...rest } = parameter
  return {
    ...rest,
    ...(isObject(schema) && typeof schema.type === 'string' && { type: schema.type }),
  }
}

/** v2Operation moves the request body into a body parameter and media types into consumes/produces. */
function v2Operation(operation: JsonObject): JsonObject {
  const { requestBody, parameters, responses, ...rest } = operation
  const body = isObject(requestBody) ? requestBody : undefined
  const bodyTypes = isObject(body?.content) ? body.content : undefined
  const media = bodyTypes === undefined ? undefined : Object.values(bodyTypes).find(isObject)
  const produces = new Set<string>()
  const v2Responses: JsonObject = {}
  for (const [code, response] of Object.entries(isObject(responses) ? responses : {})) {
    if (!isObject(response)) continue
    const content = isObject(response.content) ? response.content : {}
    for (const type of Object.keys(content)) produces.add(type)
    const returned = Object.values(content).find(isObject)
    v2Responses[code] = {
      description: response.description,
      ...(returned?.schema !== undefined && { schema: v2Schema(returned.schema) }),
    }
  }
  const v2Parameters = [
    ...(media === undefined
      ? []
      : [
          {
            name: 'body',
            in: 'body',
            ...(body?.required === true && { required: true }),
            schema: v2Schema(media.schema),
          },
        ]),
    ...objects(parameters).map(v2Parameter),
  ]
  const { tags, description, operationId, ...extensions } = rest
  return {
    tags,
    description,
    consumes: bodyTypes === undefined ? ['*/*'] : Object.keys(bodyTypes),
    produces: [...produces],
    schemes: ['https'],
    operationId,
    ...(v2Parameters.length > 0 && { parameters: v2Parameters }),
    responses: v2Responses,
    ...extensions,
  }
}

function v2PathItem(item: JsonObject): JsonObject {
  const out: JsonObject = {}
  for (const method of METHODS) {
    const operation = item[method]
    if (isObject(operation)) out[method] = v2Operation(operation)
  }
  const parameters = objects(item.parameters)
  if (parameters.length > 0) out.parameters = parameters.map(v2Parameter)
  return out
}

function byKey<T>(entries: [string, T][]): Record<string, T> {
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

/**
 * buildSwagger merges OpenAPI 3.0 group-version documents into one swagger 2.0 document. A
 * component that two documents share (ObjectMeta) is one definition: both come from the same
 * schema registry, so they are identical.
 */
export function buildSwagger(documents: readonly JsonObject[]): JsonObject {
  const first = documents[0] ?? {}
  const paths: [string, JsonObject][] = []
  const definitions = new Map<string, unknown>()
  for (const doc of documents) {
    for (const [path, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
      if (isObject(item)) paths.push([path, v2PathItem(item)])
    }
    const components = isObject(doc.components) ? doc.components : {}
    const schemas = isObject(components.schemas) ? components.schemas : {}
    for (const [name, schema] of Object.entries(schemas)) definitions.set(name, v2Schema(schema))
  }
  const components = isObject(first.components) ? first.components : {}
  return {
    swagger: '2.0',
    info: first.info,
    paths: byKey(paths),
    definitions: byKey([...definitions]),
    securityDefinitions: components.securitySchemes,
    security: first.security,
  }
}
