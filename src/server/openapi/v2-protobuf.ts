/**
 * The swagger 2.0 document in gnostic's protobuf encoding (github.com/google/gnostic
 * openapiv2/OpenAPIv2.proto, message `openapi.v2.Document`), the only form kubectl asks
 * `/openapi/v2` for. Each function below writes one message of that file, with its field
 * numbers; vendor extensions are `NamedAny`s whose `Any.yaml` holds the value (JSON is YAML),
 * which is where kube-openapi reads `x-kubernetes-group-version-kind` and the patch keys from.
 * A key the encoder does not know throws: the document must not silently lose a field.
 */
import { MessageWriter } from '../protobuf/wire.js'
import { isObject, type JsonObject } from './components.js'

function object(value: unknown, what: string): JsonObject {
  if (!isObject(value)) throw new Error(`OpenAPI v2 protobuf: ${what} is not an object`)
  return value
}

function text(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw new Error(`OpenAPI v2 protobuf: ${what} is not a string`)
  return value
}

function texts(value: unknown, what: string): string[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new Error(`OpenAPI v2 protobuf: ${what} is not a list of strings`)
  }
  return value
}

function flag(value: unknown, what: string): boolean | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'boolean') throw new Error(`OpenAPI v2 protobuf: ${what} is not a boolean`)
  return value
}

/** checkKeys refuses a key that `message` has no field for (vendor extensions aside). */
function checkKeys(value: JsonObject, message: string, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!key.startsWith('x-') && !known.includes(key)) {
      throw new Error(`OpenAPI v2 protobuf: ${message} has no field for ${JSON.stringify(key)}`)
    }
  }
}

/** any is `Any{yaml: 2}`. */
function any(value: unknown): Buffer {
  return new MessageWriter().string(2, JSON.stringify(value)).finish()
}

/** extensions writes each `x-` key as `NamedAny{name: 1, value: 2}` in field `number`. */
function extensions(w: MessageWriter, number: number, value: JsonObject): MessageWriter {
  for (const [key, v] of Object.entries(value)) {
    if (!key.startsWith('x-')) continue
    w.message(number, new MessageWriter().string(1, key).message(2, any(v)).finish())
  }
  return w
}

/** named writes a map as repeated `Named<T>{name: 1, value: 2}` in field `number`. */
function named(
  w: MessageWriter,
  number: number,
  map: JsonObject,
  encode: (value: unknown, name: string) => Buffer,
): MessageWriter {
  for (const [name, value] of Object.entries(map)) {
    w.message(number, new MessageWriter().string(1, name).message(2, encode(value, name)).finish())
  }
  return w
}

const SCHEMA_FIELDS = [
  '$ref',
  'format',
  'title',
  'description',
  'default',
  'required',
  'enum',
  'additionalProperties',
  'type',
  'items',
  'allOf',
  'properties',
  'readOnly',
]

/** schema is `Schema`. */
function schema(value: unknown, where: string): Buffer {
  const s = object(value, where)
  checkKeys(s, `Schema ${where}`, SCHEMA_FIELDS)
  const w = new MessageWriter()
    .string(1, text(s.$ref, `${where}.$ref`))
    .string(2, text(s.format, `${where}.format`))
    .string(3, text(s.title, `${where}.title`))
    .string(4, text(s.description, `${where}.description`))
  if (s.default !== undefined) w.message(5, any(s.default))
  w.strings(19, texts(s.required, `${where}.required`))
  if (s.enum !== undefined) {
    if (!Array.isArray(s.enum)) throw new Error(`OpenAPI v2 protobuf: ${where}.enum is not a list`)
    for (const v of s.enum) w.message(20, any(v))
  }
  const additional = s.additionalProperties
  if (typeof additional === 'boolean') {
    // AdditionalPropertiesItem is a oneof {schema: 1, boolean: 2}: false must be written too.
    w.message(21, new MessageWriter().bool(2, additional, true).finish())
  } else if (additional !== undefined) {
    w.message(21, new MessageWriter().message(1, schema(additional, `${where}.*`)).finish())
  }
  if (s.type !== undefined) {
    const types = typeof s.type === 'string' ? [s.type] : texts(s.type, `${where}.type`)
    w.message(22, new MessageWriter().strings(1, types).finish())
  }
  if (s.items !== undefined) {
    const items = Array.isArray(s.items) ? s.items : [s.items]
    const list = new MessageWriter()
    items.forEach((item, i) => list.message(1, schema(item, `${where}[${i}]`)))
    w.message(23, list.finish())
  }
  if (s.allOf !== undefined) {
    if (!Array.isArray(s.allOf))
      throw new Error(`OpenAPI v2 protobuf: ${where}.allOf is not a list`)
    s.allOf.forEach((item, i) => w.message(24, schema(item, `${where}.allOf[${i}]`)))
  }
  if (s.properties !== undefined) {
    const props = named(
      new MessageWriter(),
      1,
      object(s.properties, `${where}.properties`),
      (v, n) => schema(v, `${where}.${n}`),
    )
    w.message(25, props.finish())
  }
  w.bool(27, flag(s.readOnly, `${where}.readOnly`))
  return extensions(w, 31, s).finish()
}

/** parameter is `ParametersItem{parameter: 1}` holding a body, query or path `Parameter`. */
function parameter(value: unknown, where: string): Buffer {
  const p = object(value, where)
  const name = text(p.name, `${where}.name`)
  const at = `${where}(${name})`
  let encoded: Buffer
  if (p.in === 'body') {
    checkKeys(p, `BodyParameter ${at}`, ['description', 'name', 'in', 'required', 'schema'])
    const body = new MessageWriter()
      .string(1, text(p.description, `${at}.description`))
      .string(2, name)
      .string(3, 'body')
      .bool(4, flag(p.required, `${at}.required`))
      .message(5, schema(p.schema, `${at}.schema`))
    // Parameter is a oneof {body_parameter: 1, non_body_parameter: 2}.
    encoded = new MessageWriter().message(1, extensions(body, 6, p).finish()).finish()
  } else if (p.in === 'query' || p.in === 'path') {
    const known = ['required', 'in', 'description', 'name', 'type', 'format', 'uniqueItems']
    checkKeys(p, `${p.in} parameter ${at}`, known)
    const sub = new MessageWriter()
      .bool(1, flag(p.required, `${at}.required`))
      .string(2, p.in)
      .string(3, text(p.description, `${at}.description`))
      .string(4, name)
    // QueryParameterSubSchema has allow_empty_value at 5, so its later fields sit one further.
    const shift = p.in === 'query' ? 1 : 0
    sub
      .string(5 + shift, text(p.type, `${at}.type`))
      .string(6 + shift, text(p.format, `${at}.format`))
      .bool(19 + shift, flag(p.uniqueItems, `${at}.uniqueItems`))
    extensions(sub, 22 + shift, p)
    // NonBodyParameter is a oneof {header: 1, form data: 2, query: 3, path: 4}.
    const nonBody = new MessageWriter().message(p.in === 'query' ? 3 : 4, sub.finish())
    encoded = new MessageWriter().message(2, nonBody.finish()).finish()
  } else {
    throw new Error(`OpenAPI v2 protobuf: parameter ${at} is in ${String(p.in)}`)
  }
  return new MessageWriter().message(1, encoded).finish()
}

/** responses is `Responses{response_code: 1 (NamedResponseValue), vendor_extension: 2}`. */
function responses(value: unknown, where: string): Buffer {
  const codes = object(value, where)
  const w = named(new MessageWriter(), 1, codes, (v, code) => {
    const r = object(v, `${where}.${code}`)
    checkKeys(r, `Response ${where}.${code}`, ['description', 'schema'])
    const response = new MessageWriter().string(1, text(r.description, `${where}.${code}`))
    if (r.schema !== undefined) {
      // SchemaItem is a oneof {schema: 1, file_schema: 2}.
      const item = new MessageWriter().message(1, schema(r.schema, `${where}.${code}.schema`))
      response.message(2, item.finish())
    }
    // ResponseValue is a oneof {response: 1, json_reference: 2}.
    return new MessageWriter().message(1, extensions(response, 5, r).finish()).finish()
  })
  return w.finish()
}

const OPERATION_FIELDS = [
  'tags',
  'summary',
  'description',
  'operationId',
  'produces',
  'consumes',
  'parameters',
  'responses',
  'schemes',
  'deprecated',
]

/** operation is `Operation`. */
function operation(value: unknown, where: string): Buffer {
  const o = object(value, where)
  checkKeys(o, `Operation ${where}`, OPERATION_FIELDS)
  const w = new MessageWriter()
    .strings(1, texts(o.tags, `${where}.tags`))
    .string(2, text(o.summary, `${where}.summary`))
    .string(3, text(o.description, `${where}.description`))
    .string(5, text(o.operationId, `${where}.operationId`))
    .strings(6, texts(o.produces, `${where}.produces`))
    .strings(7, texts(o.consumes, `${where}.consumes`))
  parameters(w, 8, o.parameters, where)
  w.message(9, responses(o.responses, `${where}.responses`))
    .strings(10, texts(o.schemes, `${where}.schemes`))
    .bool(11, flag(o.deprecated, `${where}.deprecated`))
  return extensions(w, 13, o).finish()
}

function parameters(w: MessageWriter, number: number, value: unknown, where: string): void {
  if (value === undefined) return
  if (!Array.isArray(value))
    throw new Error(`OpenAPI v2 protobuf: ${where}.parameters is not a list`)
  value.forEach((p, i) => w.message(number, parameter(p, `${where}.parameters[${i}]`)))
}

const PATH_ITEM_FIELDS: readonly (readonly [string, number])[] = [
  ['get', 2],
  ['put', 3],
  ['post', 4],
  ['delete', 5],
  ['options', 6],
  ['head', 7],
  ['patch', 8],
]

/** pathItem is `PathItem`. */
function pathItem(value: unknown, path: string): Buffer {
  const item = object(value, path)
  checkKeys(item, `PathItem ${path}`, [...PATH_ITEM_FIELDS.map(([k]) => k), 'parameters'])
  const w = new MessageWriter()
  for (const [method, number] of PATH_ITEM_FIELDS) {
    if (item[method] !== undefined) w.message(number, operation(item[method], `${method} ${path}`))
  }
  parameters(w, 9, item.parameters, path)
  return extensions(w, 10, item).finish()
}

/** securityDefinitions is `SecurityDefinitions` of API-key schemes (the only kind served). */
function securityDefinitions(value: unknown): Buffer {
  return named(new MessageWriter(), 1, object(value, 'securityDefinitions'), (v, name) => {
    const s = object(v, `securityDefinitions.${name}`)
    checkKeys(s, `ApiKeySecurity ${name}`, ['type', 'name', 'in', 'description'])
    if (s.type !== 'apiKey') throw new Error(`OpenAPI v2 protobuf: ${name} is not an apiKey scheme`)
    const key = new MessageWriter()
      .string(1, 'apiKey')
      .string(2, text(s.name, `${name}.name`))
      .string(3, text(s.in, `${name}.in`))
      .string(4, text(s.description, `${name}.description`))
    // SecurityDefinitionsItem is a oneof; api_key_security is 2.
    return new MessageWriter().message(2, extensions(key, 5, s).finish()).finish()
  }).finish()
}

/** securityRequirement is `SecurityRequirement{additional_properties: 1 (NamedStringArray)}`. */
function securityRequirement(value: unknown, i: number): Buffer {
  return named(new MessageWriter(), 1, object(value, `security[${i}]`), (scopes, name) =>
    new MessageWriter().strings(1, texts(scopes, `security[${i}].${name}`)).finish(),
  ).finish()
}

/** encodeSwaggerProtobuf encodes a swagger 2.0 document as gnostic's `openapi.v2.Document`. */
export function encodeSwaggerProtobuf(document: JsonObject): Buffer {
  const known = ['swagger', 'info', 'paths', 'definitions', 'security', 'securityDefinitions']
  checkKeys(document, 'Document', known)
  const info = object(document.info, 'info')
  checkKeys(info, 'Info', ['title', 'version', 'description'])
  const w = new MessageWriter()
    .string(1, text(document.swagger, 'swagger'))
    .message(
      2,
      extensions(
        new MessageWriter()
          .string(1, text(info.title, 'info.title'))
          .string(2, text(info.version, 'info.version'))
          .string(3, text(info.description, 'info.description')),
        7,
        info,
      ).finish(),
    )
  const paths = named(new MessageWriter(), 2, object(document.paths, 'paths'), pathItem)
  w.message(8, paths.finish())
  const definitions = named(
    new MessageWriter(),
    1,
    object(document.definitions, 'definitions'),
    (v, n) => schema(v, n),
  )
  w.message(9, definitions.finish())
  const security = document.security
  if (security !== undefined) {
    if (!Array.isArray(security)) throw new Error('OpenAPI v2 protobuf: security is not a list')
    security.forEach((s, i) => w.message(12, securityRequirement(s, i)))
  }
  if (document.securityDefinitions !== undefined) {
    w.message(13, securityDefinitions(document.securityDefinitions))
  }
  return extensions(w, 16, document).finish()
}
