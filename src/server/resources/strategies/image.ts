/**
 * Image strategy: the raw manifest and config are never stored
 * (docs/kubernetes-api.md#object-model, upstream's PrepareImageForCreate), so they can be neither
 * read back nor compared on update. The rest of an Image is immutable; validateUpdate (src/api)
 * enforces that, metadata aside.
 */
import type { Image } from '../../../api/index.js'
import { storedJson, type Strategy } from './types.js'
import { cloneJson } from '../../../lib/clone-json.js'

function withoutRawDocuments(image: Image): Image {
  const { dockerImageManifest: _manifest, dockerImageConfig: _config, ...rest } = cloneJson(image)
  return rest
}

/** imageStrategy is the Image Strategy. */
export const imageStrategy: Strategy<'Image'> = {
  prepareForCreate: withoutRawDocuments,
  prepareForUpdate: withoutRawDocuments,
  decorate: (image) => image,
  decorateJson: storedJson,
}
