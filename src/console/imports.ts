/**
 * The console's imports: the ImageStreamImport it posts (as `isctl import-image` does) and the
 * form's checks, with the messages of the CLI and the server (docs/console.md#importing).
 */
import { INVALID_IMPORT_TARGET } from '../api/cli-messages.js'
import { IMPORT_MODE_FLAG_MESSAGE, IMPORT_MODES, type ImportMode } from '../api/constants.js'
import { checkTagName, nameIsImageStreamName } from '../api/names.js'
import { parseImageReference } from '../reference/index.js'
import { api, namespaced } from './api.js'

/** ImportInput is what the import form asks for. */
export interface ImportInput {
  readonly stream: string
  readonly from: string
  readonly tag: string
  readonly importMode: string
  readonly referencePolicy: string
  readonly scheduled: boolean
  readonly insecure: boolean
}

/** checkImport returns a message per field the server would refuse, empty when the input is good. */
export function checkImport(input: ImportInput): Partial<Record<keyof ImportInput, string>> {
  const problems: Partial<Record<keyof ImportInput, string>> = {}
  if (input.stream === '') problems.stream = 'you must specify the name of an image stream'
  else {
    const bad = nameIsImageStreamName(input.stream, false)
    if (bad.length > 0) problems.stream = `invalid image stream name: ${bad.join(', ')}`
  }
  if (input.from === '') problems.from = 'you must specify the image to import (--from)'
  else {
    try {
      parseImageReference(input.from)
    } catch {
      problems.from = INVALID_IMPORT_TARGET
    }
  }
  const badTag = checkTagName(input.tag)
  if (badTag.length > 0) problems.tag = badTag.join(', ')
  if (!IMPORT_MODES.some((m) => m === input.importMode))
    problems.importMode = IMPORT_MODE_FLAG_MESSAGE
  if (!['Source', 'Local'].includes(input.referencePolicy)) {
    problems.referencePolicy = 'valid reference policy values are source or local'
  }
  return problems
}

/** ImportOutcome is the server's answer for the one image: success, or its message. */
export interface ImportOutcome {
  readonly ok: boolean
  readonly message: string
}

/** importImage posts an ImageStreamImport of one tag and returns the image's outcome. */
export async function importImage(namespace: string, input: ImportInput): Promise<ImportOutcome> {
  const answer = await api<{
    status?: { images?: { status?: { status?: string; message?: string } }[] }
  }>('POST', namespaced(namespace, 'imagestreamimports'), {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStreamImport',
    metadata: { name: input.stream },
    spec: {
      import: true,
      images: [
        {
          from: { kind: 'DockerImage', name: input.from },
          to: { name: input.tag },
          importPolicy: {
            importMode: input.importMode as ImportMode,
            scheduled: input.scheduled,
            insecure: input.insecure,
          },
          referencePolicy: { type: input.referencePolicy },
        },
      ],
    },
  })
  const status = answer.status?.images?.[0]?.status
  return status?.status === 'Success'
    ? { ok: true, message: `Imported ${input.from} into ${input.stream}:${input.tag}.` }
    : { ok: false, message: status?.message ?? 'the import failed' }
}
