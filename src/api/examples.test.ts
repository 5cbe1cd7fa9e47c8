/**
 * The YAML examples in testdata/ are manifests users write: each must decode with no unknown field,
 * survive a prune unchanged, and validate clean after defaulting.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { applyDefaults } from './defaults.js'
import { ImageStreamStatus } from './image.js'
import type { KindMap, KindName } from './resources.js'
import { resourceForKind } from './resources.js'
import { checkSchema, decode, prune } from './schema.js'
import { validateObject } from './validation.js'

const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), 'testdata')

function load(file: string): unknown {
  return parse(readFileSync(join(EXAMPLES, file), 'utf8')) as unknown
}

const manifests: readonly { readonly file: string; readonly kind: KindName }[] = [
  { file: 'imagestream.yaml', kind: 'ImageStream' },
  { file: 'imagestreamimport.yaml', kind: 'ImageStreamImport' },
  { file: 'image-list.yaml', kind: 'Image' },
]

describe('reference examples', () => {
  for (const { file, kind } of manifests) {
    it(`${file} decodes, keeps every field and validates clean`, () => {
      const raw = load(file)
      assert.equal((raw as { kind?: string }).kind, kind)
      const { schema } = resourceForKind(kind)
      const decoded = decode(schema, raw)
      assert.deepEqual(decoded.unknownFields, [])
      assert.ok(decoded.ok, decoded.ok ? '' : JSON.stringify(decoded.errors))
      assert.deepEqual(prune(schema, raw), raw)
      const defaulted = applyDefaults(kind, decoded.value as KindMap[typeof kind])
      assert.deepEqual(validateObject(kind, defaulted), [])
    })
  }

  it('imagestream-status.yaml is a valid status, also inside the stream', () => {
    const { status } = load('imagestream-status.yaml') as { status: unknown }
    assert.deepEqual(checkSchema(ImageStreamStatus, status), [])
    const stream = load('imagestream.yaml') as Record<string, unknown>
    const decoded = decode(resourceForKind('ImageStream').schema, { ...stream, status })
    assert.ok(decoded.ok)
    assert.deepEqual(validateObject('ImageStream', decoded.value as KindMap['ImageStream']), [])
  })
})
