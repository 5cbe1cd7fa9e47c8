/**
 * `isctl image info`: the flags and help (modelled on `oc image info`) and their validation.
 * The run lives in image-info-run.ts, on a registry port that src/cmd/image-info.ts wires to
 * the registry client; this module stays light, loading neither.
 */
import type { Command } from 'commander'
import { join } from 'node:path'
import { parseImageReference, type ImageReference } from '../../reference/index.js'
import { UsageError } from '../errors.js'

/** ImageInfoFlags are the flags of `image info` as commander hands them over. */
export interface ImageInfoFlags {
  readonly registryConfig?: string | undefined
  readonly insecure?: boolean | undefined
  readonly filterByOs?: string | undefined
  readonly showMultiarch?: boolean | undefined
  readonly output?: string | undefined
  readonly additionalTrustedCa?: string | undefined
}

/** RequestedImage is one IMAGE argument: as typed and parsed. */
export interface RequestedImage {
  readonly input: string
  readonly ref: ImageReference
}

/** ImageInfoOptions are the validated options of one `image info` run. */
export interface ImageInfoOptions {
  readonly images: readonly RequestedImage[]
  /** The docker config file to read credentials from; undefined for anonymous access. */
  readonly registryConfig: string | undefined
  /** Where registryConfig came from, to name it in errors as the user knows it. */
  readonly registryConfigOrigin: '--registry-config' | '$REGISTRY_AUTH_FILE' | 'default'
  readonly insecure: boolean
  /** `OS/ARCH[/VARIANT]` as given; parsed by the caller, which owns platform rules. */
  readonly filterByOs: string | undefined
  readonly showMultiarch: boolean
  readonly output: 'describe' | 'json'
  readonly additionalTrustedCa: string | undefined
}

// One line per paragraph: commander wraps help text to the terminal width itself.
const DESCRIPTION = [
  'Show information about an image in a remote image registry.',
  'This command will retrieve metadata about container images in a remote image registry. You may specify images by tag or digest and specify multiple at a time.',
  'An image that is a manifest list must be narrowed to one image with --filter-by-os=OS/ARCH, or shown whole with --show-multiarch.',
].join('\n\n')

const EXAMPLES = `
Examples:
  # Show information about an image
  isctl image info quay.io/openshift/cli:latest

  # Select which image from a multi-OS image to show
  isctl image info library/busybox:latest --filter-by-os=linux/arm64

  # Show every image of a multi-OS image as JSON
  isctl image info library/busybox:latest --show-multiarch -o json

  # Use credentials from a docker config file and trust a private CA
  isctl image info --registry-config=auth.json --additional-trusted-ca=ca.pem registry.example.com/app:v1
`

/** configureImageInfoCommand declares the arguments, flags and help of `image info` on `cmd`. */
export function configureImageInfoCommand(cmd: Command): Command {
  return cmd
    .summary('Display information about an image')
    .description(DESCRIPTION)
    .argument('[IMAGE...]', 'image pull specs, by tag or digest')
    .option(
      '-a, --registry-config <path>',
      'Path to your registry credentials (defaults to $REGISTRY_AUTH_FILE, then ~/.docker/config.json)',
    )
    .option(
      '--insecure',
      'Allow pull operations to registries to be made over HTTP, and skip TLS verification',
    )
    .option(
      '--filter-by-os <os/arch[/variant]>',
      'Select the image of this platform when the image is a manifest list, e.g. linux/arm64',
    )
    .option(
      '--show-multiarch',
      'Show information even if the image is multiarch image. If not set, error is thrown for multiarch images.',
    )
    .option('-o, --output <format>', 'Print the image in an alternative format: json')
    .option(
      '--additional-trusted-ca <path>',
      'PEM file of certificate authorities to trust for registry TLS besides the system roots',
    )
    .addHelpText('after', EXAMPLES)
}

/**
 * resolveRegistryConfig picks the credentials file as oc does for this subset: the flag, then
 * $REGISTRY_AUTH_FILE, then ~/.docker/config.json when it exists, else none (anonymous).
 */
function resolveRegistryConfig(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  exists: (path: string) => boolean,
): Pick<ImageInfoOptions, 'registryConfig' | 'registryConfigOrigin'> {
  if (flag) return { registryConfig: flag, registryConfigOrigin: '--registry-config' }
  const fromEnv = env.REGISTRY_AUTH_FILE
  if (fromEnv) return { registryConfig: fromEnv, registryConfigOrigin: '$REGISTRY_AUTH_FILE' }
  const home = env.HOME || env.USERPROFILE
  const fallback = home ? join(home, '.docker', 'config.json') : undefined
  // Only the implicit default may be absent: a path the user named must be readable.
  if (fallback && exists(fallback))
    return { registryConfig: fallback, registryConfigOrigin: 'default' }
  return { registryConfig: undefined, registryConfigOrigin: 'default' }
}

/**
 * completeImageInfoOptions validates the arguments and fills in defaults. Throws UsageError,
 * or InvalidReferenceError for an IMAGE that is not a pull spec.
 */
export function completeImageInfoOptions(
  operands: readonly string[],
  flags: ImageInfoFlags,
  env: Readonly<Record<string, string | undefined>>,
  exists: (path: string) => boolean,
): ImageInfoOptions {
  if (operands.length === 0) {
    throw new UsageError('info expects at least one argument, an image pull spec')
  }
  const output = flags.output ?? ''
  if (output !== '' && output !== 'json') {
    throw new UsageError("unrecognized --output, only 'json' is supported")
  }
  const images = operands.map((input) => ({ input, ref: parseImageReference(input) }))
  return {
    images,
    ...resolveRegistryConfig(flags.registryConfig, env, exists),
    insecure: flags.insecure === true,
    // oc treats an empty --filter-by-os as no filter.
    filterByOs: flags.filterByOs || undefined,
    showMultiarch: flags.showMultiarch === true,
    output: output === 'json' ? 'json' : 'describe',
    additionalTrustedCa: flags.additionalTrustedCa || undefined,
  }
}
