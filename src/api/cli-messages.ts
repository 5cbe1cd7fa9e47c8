/**
 * The client-side refusals of `isctl tag` and `isctl import-image` that the console's forms repeat,
 * kept here (plain, no schema) so the CLI and the console say the same thing.
 */

/** INVALID_IMPORT_TARGET is `import-image`'s refusal of a target that is no pull spec. */
export const INVALID_IMPORT_TARGET =
  'the image name must be a valid container image pull spec or reference to an image stream (e.g. myregistry/myteam/image:tag)'

/** SERVER_IN_STREAM_SOURCE refuses a registry host in a stream source of `tag`. */
export const SERVER_IN_STREAM_SOURCE =
  'server in SOURCE is only allowed when providing a container image'

/** ISTAG_SOURCE_NEEDS_TAG refuses an ImageStreamTag source of `tag` without `:<tag>`. */
export const ISTAG_SOURCE_NEEDS_TAG =
  '--source=ImageStreamTag requires a valid <name>:<tag> in SOURCE'

/** ISIMAGE_SOURCE_NEEDS_ID refuses an ImageStreamImage source of `tag` without `@<id>`. */
export const ISIMAGE_SOURCE_NEEDS_ID =
  '--source=ImageStreamImage requires a valid <name>@<id> in SOURCE'

/** invalidSourceMessage is `tag`'s refusal of a SOURCE the reference grammar rejects. */
export function invalidSourceMessage(problem: string): string {
  return `invalid SOURCE: ${problem}`
}

/** invalidTagMessage is `tag`'s refusal of a destination tag outside the tag grammar. */
export function invalidTagMessage(tag: string): string {
  return `invalid tag "${tag}" format, tags must start with an alphanumeric character followed by alphanumeric, '.' or '-' characters, and have a maximum of 128 characters`
}

/** destinationFormMessage is `tag`'s refusal of a destination that is not `<stream>:<tag>`. */
export function destinationFormMessage(nameAndTag: string): string {
  return `"${nameAndTag}" must be of the form <stream_name>:<tag>`
}
