/** The names of the virtual image kinds: `<stream>:<tag>` and `<stream>@<id>` (upstream ParseImageStreamTagName / ParseImageStreamImageName). */
import { badRequest } from '../../status.js'

/** splitImageStreamTag splits `<stream>:<tag>`; anything else is the apiserver's 400, naming `kind` (ImageStreamTags or ImageTags). */
export function splitImageStreamTag(
  name: string,
  kind = 'ImageStreamTags',
): { stream: string; tag: string } {
  const parts = name.split(':')
  const [stream, tag] = parts
  if (parts.length !== 2 || !stream || !tag) {
    throw badRequest(`${kind} must be retrieved with <name>:<tag>`)
  }
  return { stream, tag }
}

/** splitImageStreamImage splits `<stream>@<id>`; anything else is the apiserver's 400. */
export function splitImageStreamImage(name: string): { stream: string; id: string } {
  const parts = name.split('@')
  const [stream, id] = parts
  if (parts.length !== 2 || !stream || !id) {
    throw badRequest('ImageStreamImages must be retrieved with <name>@<id>')
  }
  return { stream, id }
}
