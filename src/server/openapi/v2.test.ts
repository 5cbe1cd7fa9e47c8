import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RESOURCE_LIST } from '../../api/index.js'
import { readFields } from '../protobuf/wire.js'
import { componentPrefix, type JsonObject } from './components.js'
import { OPENAPI_RESOURCES } from '../resources/index.js'
import { buildOpenAPIDocuments } from './documents.js'
import { encodeSwaggerProtobuf } from './v2-protobuf.js'

const docs = buildOpenAPIDocuments(OPENAPI_RESOURCES)
const swagger = JSON.parse(docs.swaggerJSON) as {
  paths: Record<string, Record<string, JsonObject>>
  definitions: Record<string, JsonObject>
} & JsonObject

/**
 * The messages of gnostic's openapiv2/OpenAPIv2.proto the document uses, transcribed from the
 * .proto independently of the encoder: field number to [JSON key, type, repeated]. A type is
 * `string`, `bool`, `any` (an `Any` whose yaml is the value) or a message name; the key `x-`
 * collects vendor extensions into the enclosing object. `map` messages are
 * `repeated Named<T> = 1`, `oneof` messages hold one field, `list` messages one repeated field.
 */
type FieldSpec = readonly [key: string, type: string, repeated?: 'repeated']
interface MessageSpec {
  readonly fields: Readonly<Record<number, FieldSpec>>
  readonly shape?: 'map' | 'oneof' | 'list'
}
const NAMED = (type: string): MessageSpec => ({
  fields: { 1: ['name', 'string'], 2: ['value', type] },
})
const MAP = (named: string): MessageSpec => ({
  fields: { 1: ['', named, 'repeated'] },
  shape: 'map',
})
const EXT: FieldSpec = ['x-', 'NamedAny', 'repeated']
const PROTO: Record<string, MessageSpec> = {
  Document: {
    fields: {
      1: ['swagger', 'string'],
      2: ['info', 'Info'],
      8: ['paths', 'Paths'],
      9: ['definitions', 'Definitions'],
      12: ['security', 'SecurityRequirement', 'repeated'],
      13: ['securityDefinitions', 'SecurityDefinitions'],
      16: EXT,
    },
  },
  Info: { fields: { 1: ['title', 'string'], 2: ['version', 'string'], 7: EXT } },
  Paths: { fields: { 1: EXT, 2: ['', 'NamedPathItem', 'repeated'] }, shape: 'map' },
  NamedPathItem: NAMED('PathItem'),
  PathItem: {
    fields: {
      2: ['get', 'Operation'],
      3: ['put', 'Operation'],
      4: ['post', 'Operation'],
      5: ['delete', 'Operation'],
      8: ['patch', 'Operation'],
      9: ['parameters', 'ParametersItem', 'repeated'],
      10: EXT,
    },
  },
  Operation: {
    fields: {
      1: ['tags', 'string', 'repeated'],
      3: ['description', 'string'],
      5: ['operationId', 'string'],
      6: ['produces', 'string', 'repeated'],
      7: ['consumes', 'string', 'repeated'],
      8: ['parameters', 'ParametersItem', 'repeated'],
      9: ['responses', 'Responses'],
      10: ['schemes', 'string', 'repeated'],
      13: EXT,
    },
  },
  ParametersItem: { fields: { 1: ['', 'Parameter'] }, shape: 'oneof' },
  Parameter: {
    fields: { 1: ['', 'BodyParameter'], 2: ['', 'NonBodyParameter'] },
    shape: 'oneof',
  },
  BodyParameter: {
    fields: {
      1: ['description', 'string'],
      2: ['name', 'string'],
      3: ['in', 'string'],
      4: ['required', 'bool'],
      5: ['schema', 'Schema'],
      6: EXT,
    },
  },
  NonBodyParameter: {
    fields: { 3: ['', 'QueryParameterSubSchema'], 4: ['', 'PathParameterSubSchema'] },
    shape: 'oneof',
  },
  QueryParameterSubSchema: {
    fields: {
      1: ['required', 'bool'],
      2: ['in', 'string'],
      3: ['description', 'string'],
      4: ['name', 'string'],
      6: ['type', 'string'],
      23: EXT,
    },
  },
  PathParameterSubSchema: {
    fields: {
      1: ['required', 'bool'],
      2: ['in', 'string'],
      3: ['description', 'string'],
      4: ['name', 'string'],
      5: ['type', 'string'],
      22: EXT,
    },
  },
  Responses: { fields: { 1: ['', 'NamedResponseValue', 'repeated'], 2: EXT }, shape: 'map' },
  NamedResponseValue: NAMED('ResponseValue'),
  ResponseValue: { fields: { 1: ['', 'Response'] }, shape: 'oneof' },
  Response: {
    fields: { 1: ['description', 'string'], 2: ['schema', 'SchemaItem'], 5: EXT },
  },
  SchemaItem: { fields: { 1: ['', 'Schema'] }, shape: 'oneof' },
  Definitions: MAP('NamedSchema'),
  Properties: MAP('NamedSchema'),
  NamedSchema: NAMED('Schema'),
  Schema: {
    fields: {
      1: ['$ref', 'string'],
      2: ['format', 'string'],
      4: ['description', 'string'],
      19: ['required', 'string', 'repeated'],
      20: ['enum', 'any', 'repeated'],
      21: ['additionalProperties', 'AdditionalPropertiesItem'],
      22: ['type', 'TypeItem'],
      23: ['items', 'ItemsItem'],
      25: ['properties', 'Properties'],
      31: EXT,
    },
  },
  AdditionalPropertiesItem: {
    fields: { 1: ['', 'Schema'], 2: ['', 'bool'] },
    shape: 'oneof',
  },
  TypeItem: { fields: { 1: ['', 'string', 'repeated'] }, shape: 'list' },
  ItemsItem: { fields: { 1: ['', 'Schema', 'repeated'] }, shape: 'list' },
  SecurityDefinitions: MAP('NamedSecurityDefinitionsItem'),
  NamedSecurityDefinitionsItem: NAMED('SecurityDefinitionsItem'),
  SecurityDefinitionsItem: { fields: { 2: ['', 'ApiKeySecurity'] }, shape: 'oneof' },
  ApiKeySecurity: {
    fields: {
      1: ['type', 'string'],
      2: ['name', 'string'],
      3: ['in', 'string'],
      4: ['description', 'string'],
      5: EXT,
    },
  },
  SecurityRequirement: MAP('NamedStringArray'),
  NamedStringArray: NAMED('StringArray'),
  StringArray: { fields: { 1: ['', 'string', 'repeated'] }, shape: 'list' },
  NamedAny: NAMED('Any'),
  Any: { fields: { 2: ['yaml', 'string'] } },
}

/** decode turns one encoded message back into the JSON it stands for. */
function decode(bytes: Buffer, type: string): unknown {
  const spec = PROTO[type]
  assert.ok(spec, `no message ${type}`)
  const values: [FieldSpec, unknown][] = []
  for (const field of readFields(bytes, { fields: 0 }, type)) {
    const f = spec.fields[field.number]
    assert.ok(f, `${type} has no field ${field.number}`)
    const [, fieldType] = f
    let value: unknown
    if (fieldType === 'bool') {
      assert.equal(field.wireType, 0)
      value = field.value === 1n
    } else {
      if (field.wireType === 0) assert.fail(`${type}.${field.number} is a varint`)
      const raw = field.value
      if (fieldType === 'string') value = raw.toString('utf8')
      else if (fieldType === 'any') value = decode(raw, 'Any')
      else value = decode(raw, fieldType)
      if (fieldType === 'any') value = JSON.parse((value as { yaml: string }).yaml) as unknown
    }
    values.push([f, value])
  }
  if (spec.shape === 'oneof') {
    assert.equal(values.length, 1, `${type} is a oneof`)
    return values[0]![1]
  }
  if (spec.shape === 'list') {
    const list = values.map(([, v]) => v)
    // TypeItem and ItemsItem stand for a single type or schema in our documents.
    return type === 'StringArray' || list.length !== 1 ? list : list[0]
  }
  const out: JsonObject = {}
  for (const [[key, fieldType, repeated], value] of values) {
    if (key === 'x-' || (spec.shape === 'map' && key === '')) {
      const { name, value: v } = value as { name: string; value: unknown }
      out[name] = fieldType === 'NamedAny' ? JSON.parse((v as { yaml: string }).yaml) : v
    } else if (repeated) out[key] = [...((out[key] as unknown[] | undefined) ?? []), value]
    else out[key] = value
  }
  return out
}

/** walk visits every object inside a JSON value, with its path. */
function walk(value: unknown, visit: (node: JsonObject, path: string) => void, path = ''): void {
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, visit, `${path}[${i}]`))
  else if (typeof value === 'object' && value !== null) {
    visit(value as JsonObject, path)
    for (const [k, v] of Object.entries(value)) walk(v, visit, `${path}/${k}`)
  }
}

describe('OpenAPI v2 document', () => {
  it('encodes as gnostic protobuf that decodes back to the JSON document', () => {
    assert.deepEqual(decode(docs.swaggerProtobuf, 'Document'), swagger)
  })

  it('has a definition with its GVK, and item paths, for every served kind', () => {
    for (const r of RESOURCE_LIST.filter((x) => !x.plural.includes('/'))) {
      const prefix = componentPrefix(r.group, r.version)
      const definition = swagger.definitions[`${prefix}.${r.kind}`]
      assert.ok(definition, r.kind)
      assert.deepEqual(definition['x-kubernetes-group-version-kind'], [
        { group: r.group, kind: r.kind, version: r.version },
      ])
      const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`
      const scope = r.namespaced ? '/namespaces/{namespace}' : ''
      const item = swagger.paths[`${base}${scope}/${r.plural}/{name}`]
      assert.ok(item?.patch, r.plural)
      assert.deepEqual(item.patch['x-kubernetes-group-version-kind'], {
        group: r.group,
        kind: r.kind,
        version: r.version,
      })
    }
    for (const name of [
      'com.github.openshift.api.image.v1.ImageStream',
      'com.github.openshift.api.image.v1.ImageStreamList',
      'io.k8s.api.core.v1.Secret',
      'io.k8s.api.core.v1.ServiceAccount',
      'io.k8s.api.core.v1.Namespace',
      'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    ]) {
      assert.ok(swagger.definitions[name], name)
    }
  })

  it('has GET operations for imagestreams/secrets and /layers answering their own kinds', () => {
    for (const [sub, definition, gvk] of [
      [
        'secrets',
        'io.k8s.api.core.v1.SecretList',
        { group: '', version: 'v1', kind: 'SecretList' },
      ],
      [
        'layers',
        'com.github.openshift.api.image.v1.ImageStreamLayers',
        { group: 'image.openshift.io', version: 'v1', kind: 'ImageStreamLayers' },
      ],
    ] as const) {
      const item =
        swagger.paths[
          `/apis/image.openshift.io/v1/namespaces/{namespace}/imagestreams/{name}/${sub}`
        ]
      assert.ok(item?.get, sub)
      assert.deepEqual(Object.keys(item).sort(), ['get', 'parameters'], sub)
      assert.equal(item.get['x-kubernetes-action'], 'get')
      assert.deepEqual(item.get['x-kubernetes-group-version-kind'], gvk)
      const responses = item.get.responses as Record<string, JsonObject>
      assert.deepEqual(responses['200']?.schema, { $ref: `#/definitions/${definition}` })
      assert.deepEqual(swagger.definitions[definition]?.['x-kubernetes-group-version-kind'], [
        { group: gvk.group, kind: gvk.kind, version: gvk.version },
      ])
    }
    // Every $ref of the document, these included, names one of its definitions.
    walk(swagger, (node, path) => {
      if (typeof node.$ref !== 'string') return
      const name = node.$ref.slice('#/definitions/'.length)
      assert.ok(swagger.definitions[name], `${path}: unresolved ${node.$ref}`)
    })
    assert.deepEqual(decode(docs.swaggerProtobuf, 'Document'), swagger)
  })

  it('describes the same paths as the v3 documents', () => {
    const v3 = [...docs.groupVersions.values()].flatMap((d) =>
      Object.keys((JSON.parse(d.json) as { paths: JsonObject }).paths),
    )
    assert.deepEqual(Object.keys(swagger.paths), v3.sort())
  })

  it('is swagger 2.0: bodies are parameters, media types consumes/produces, refs to definitions', () => {
    walk(swagger.paths, (node, path) => {
      for (const key of ['requestBody', 'content']) assert.ok(!(key in node), `${key} at ${path}`)
    })
    walk(swagger, (node, path) => {
      assert.ok(!('allOf' in node), `allOf at ${path}`)
      if (typeof node.$ref === 'string') {
        const name = node.$ref.replace(/^#\/definitions\//, '')
        assert.notEqual(name, node.$ref, `${path}: ${node.$ref}`)
        assert.ok(swagger.definitions[name], `${path}: ${node.$ref}`)
      }
      if (node.in === 'query' || node.in === 'path') {
        assert.equal(typeof node.type, 'string', path)
        assert.ok(!('schema' in node), path)
      }
    })
    const patch =
      swagger.paths['/apis/image.openshift.io/v1/namespaces/{namespace}/imagestreams/{name}']!
        .patch!
    assert.deepEqual(patch.consumes, [
      'application/apply-patch+yaml',
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
    ])
    assert.deepEqual((patch.parameters as JsonObject[])[0], {
      name: 'body',
      in: 'body',
      required: true,
      schema: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' },
    })
    assert.ok((patch.parameters as JsonObject[]).some((p) => p.name === 'fieldValidation'))
  })

  it('keeps descriptions and field extensions beside a $ref', () => {
    const image = swagger.definitions['com.github.openshift.api.image.v1.Image']!
    const props = image.properties as Record<string, JsonObject>
    assert.deepEqual(props.dockerImageMetadata, {
      $ref: '#/definitions/com.github.openshift.api.image.docker10.DockerImage',
      description: 'DockerImageMetadata contains metadata about this image.',
      'x-kubernetes-patch-strategy': 'replace',
    })
    const spec = swagger.definitions['com.github.openshift.api.image.v1.ImageStreamSpec']!
    const tags = (spec.properties as Record<string, JsonObject>).tags!
    assert.equal(tags['x-kubernetes-patch-merge-key'], 'name')
    assert.deepEqual(tags.items, {
      $ref: '#/definitions/com.github.openshift.api.image.v1.TagReference',
    })
    const stream = swagger.definitions['com.github.openshift.api.image.v1.ImageStream']!
    assert.deepEqual((stream.properties as Record<string, JsonObject>).spec, {
      $ref: '#/definitions/com.github.openshift.api.image.v1.ImageStreamSpec',
      description: 'Spec describes the desired state of this stream.',
    })
  })

  it('refuses to encode what gnostic has no field for, rather than drop it', () => {
    const bad = {
      ...swagger,
      definitions: { X: { type: 'integer', minimum: 0 } },
    }
    assert.throws(() => encodeSwaggerProtobuf(bad), /Schema X has no field for "minimum"/)
  })
})
