/** OpenAPI v3 and v2 documents of the API, for kubectl's validation probe and `kubectl explain`. */
export {
  componentName,
  componentPrefix,
  META_V1,
  REF_PREFIX,
  type GroupVersionKind,
  type JsonObject,
  type OpenAPIResource,
} from './components.js'
export {
  buildOpenAPIDocuments,
  openAPIHash,
  type GroupVersionDocument,
  type OpenAPIDocuments,
} from './documents.js'
export {
  acceptsJSON,
  negotiateV2,
  registerOpenAPI,
  V2_PROTOBUF_TYPE,
  type V2Format,
} from './register.js'
