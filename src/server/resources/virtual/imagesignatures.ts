/**
 * `imagesignatures` (create and delete): a signature lives in its Image's `signatures`, named
 * `<image name>@<signature name>` (openshift-apiserver
 * pkg/image/apiserver/registry/imagesignature/rest.go and strategy.go). Create drops what the
 * server would derive from the content (conditions, identity, claims, issuer, subject), refuses
 * a second signature with the same name or the same type and content, and answers the stored
 * signature; delete removes it and answers a Success Status. Both write the Image through its
 * own update path.
 */
import { randomUUID } from 'node:crypto'
import {
  applyDefaults,
  RESOURCES,
  splitImageSignatureName,
  statusSuccess,
  validateObject,
  type Image,
  type ImageSignature,
  type Status,
} from '../../../api/index.js'
import { alreadyExists, badRequest, internalError, notFound } from '../../status.js'
import { decodeBody } from '../body.js'
import type { ResourceContext } from '../context.js'
import { invalidObject, mergeFieldErrors } from '../errors.js'
import { prepareCreateMeta } from '../object-meta.js'
import type { DeleteOptions } from '../operations/delete.js'
import { updateObject } from '../operations/update.js'
import { innerWrite, type WriteOptions, type WriteResult } from '../operations/write-options.js'
import { rfc3339 } from '../../../lib/rfc3339.js'

const SIGNATURES = RESOURCES.imagesignatures
const IMAGES = RESOURCES.images
// Upstream names the resource in camel case in these two errors.
const GR = { group: SIGNATURES.group, resource: 'imageSignatures' }

/** prepareForCreate is upstream's: only name, type and content come from the client. */
function prepareForCreate(signature: ImageSignature): ImageSignature {
  const {
    conditions: _conditions,
    imageIdentity: _identity,
    signedClaims: _claims,
    created: _created,
    issuedBy: _issuedBy,
    issuedTo: _issuedTo,
    ...rest
  } = signature
  return rest
}

function imageNameOf(name: string): string {
  const parts = splitImageSignatureName(name)
  if (parts === undefined) {
    throw badRequest('ImageSignatures must be accessed with <imageName>@<signatureName>')
  }
  return parts.image
}

/** createImageSignature answers POST: adds the signature to its Image. */
export async function createImageSignature(
  ctx: ResourceContext,
  body: unknown,
  options: WriteOptions,
): Promise<WriteResult<ImageSignature>> {
  const decoded = decodeBody(SIGNATURES, body, options.fieldValidation, options.duplicateFields)
  const placed = prepareCreateMeta(SIGNATURES, decoded.object, undefined)
  const signature = prepareForCreate(applyDefaults('ImageSignature', placed))
  const name = signature.metadata.name ?? ''
  const errors = mergeFieldErrors(decoded.missing, validateObject('ImageSignature', signature))
  if (errors.length > 0) throw invalidObject(SIGNATURES, name, errors)
  const stored: ImageSignature = {
    ...signature,
    metadata: { ...signature.metadata, uid: randomUUID(), creationTimestamp: rfc3339(ctx.now()) },
  }
  const { kind: _kind, apiVersion: _apiVersion, ...embedded } = stored
  const written = await updateObject(
    ctx,
    { resource: IMAGES, namespace: undefined, name: imageNameOf(name) },
    (image) => {
      const existing = image.signatures ?? []
      const clash = existing.some(
        (s) =>
          s.metadata.name === name ||
          (s.type === signature.type && s.content === signature.content),
      )
      if (clash) throw alreadyExists(GR, name)
      return { ...image, signatures: [...existing, embedded] }
    },
    innerWrite(options),
  )
  const found = findSignature(written.object, name)
  if (found === undefined) throw internalError('failed to store given signature')
  return {
    object: { kind: SIGNATURES.kind, apiVersion: SIGNATURES.apiVersion, ...found },
    warnings: decoded.warnings,
    created: true,
  }
}

function findSignature(image: Image, name: string): ImageSignature | undefined {
  return image.signatures?.find((s) => s.metadata.name === name)
}

/** deleteImageSignature answers DELETE: removes the signature from its Image. */
export async function deleteImageSignature(
  ctx: ResourceContext,
  name: string,
  options: DeleteOptions,
): Promise<Status> {
  await updateObject(
    ctx,
    { resource: IMAGES, namespace: undefined, name: imageNameOf(name) },
    (image) => {
      if (findSignature(image, name) === undefined) throw notFound(GR, name)
      const signatures = (image.signatures ?? []).filter((s) => s.metadata.name !== name)
      const { signatures: _all, ...rest } = image
      return signatures.length === 0 ? rest : { ...rest, signatures }
    },
    innerWrite(options),
  )
  return statusSuccess()
}
