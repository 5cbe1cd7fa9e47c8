/**
 * Platform normalisation (containerd/platforms database.go) and the Legacy import mode's choice
 * of one child from a manifest list (docs/imports.md#platform-choice).
 */
import type { Descriptor, Platform } from './manifest.js'

/** PlatformSpec is a wanted or offered platform after normalisation. */
export interface PlatformSpec {
  readonly os: string
  readonly architecture: string
  /** Empty when the architecture has no variant or uses its default one. */
  readonly variant: string
}

/** InvalidPlatformError: a user-supplied platform string is not `os/arch[/variant]`. */
export class InvalidPlatformError extends Error {
  readonly code = 'InvalidPlatform'
}

/** Variants are written `8`, `v8` or `V8` in the wild; the canonical form is `v8`. */
function normalizeVariant(variant: string): string {
  const v = variant.toLowerCase()
  return v === '' || v.startsWith('v') ? v : `v${v}`
}

/** normalizePlatform maps aliases (aarch64, x86_64, armhf, macos ...) to their canonical form. */
export function normalizePlatform(p: {
  os: string
  architecture: string
  variant?: string | undefined
}): PlatformSpec {
  let os = p.os.toLowerCase()
  if (os === 'macos') os = 'darwin'
  let architecture = p.architecture.toLowerCase()
  let variant = normalizeVariant(p.variant ?? '')
  switch (architecture) {
    case 'i386':
      architecture = '386'
      variant = ''
      break
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      architecture = 'amd64'
      if (variant === 'v1') variant = ''
      break
    case 'aarch64':
    case 'arm64':
      architecture = 'arm64'
      if (variant === 'v8' || variant === 'v8.0') variant = ''
      else if (variant === 'v9.0') variant = 'v9'
      break
    case 'armhf':
      architecture = 'arm'
      variant = 'v7'
      break
    case 'armel':
      architecture = 'arm'
      variant = 'v6'
      break
    case 'arm':
      if (variant === '') variant = 'v7'
      break
  }
  return { os, architecture, variant }
}

/** parsePlatform reads `os/arch[/variant]` as users write it (`linux/arm64`, `linux/arm/v7`). */
export function parsePlatform(value: string): PlatformSpec {
  const parts = value.split('/')
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new InvalidPlatformError(
      `invalid platform ${JSON.stringify(value)}: expected OS/ARCH[/VARIANT], e.g. linux/arm64`,
    )
  }
  return normalizePlatform({ os: parts[0]!, architecture: parts[1]!, variant: parts[2] })
}

/** formatPlatform writes `os/arch[/variant]`. */
export function formatPlatform(p: {
  os: string
  architecture: string
  variant?: string | undefined
}): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/')
}

/** hostPlatform is the platform of this process, in registry terms. */
export function hostPlatform(): PlatformSpec {
  const arch: Record<string, string> = {
    x64: 'amd64',
    ia32: '386',
    arm64: 'arm64',
    arm: 'arm',
    ppc64: 'ppc64le',
    s390x: 's390x',
    riscv64: 'riscv64',
  }
  return normalizePlatform({
    os: process.platform === 'win32' ? 'windows' : process.platform,
    architecture: arch[process.arch] ?? process.arch,
  })
}

/**
 * isAttestation recognises BuildKit attestation entries (platform unknown/unknown, annotation
 * vnd.docker.reference.type): they describe an image, they are never an image to run.
 */
export function isAttestation(d: Descriptor): boolean {
  if (d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return true
  return d.platform?.os === 'unknown' && d.platform.architecture === 'unknown'
}

/**
 * Lower variants an architecture may fall back to, best first: arm/v7 runs v6 and v5 code
 * (containerd compare.go), so a wanted v7 takes v6 only when no v7 entry exists.
 */
function acceptableVariants(wanted: PlatformSpec): readonly string[] {
  if (wanted.architecture === 'arm') {
    const order = ['v8', 'v7', 'v6', 'v5']
    const at = order.indexOf(wanted.variant)
    return at >= 0 ? order.slice(at) : [wanted.variant]
  }
  if (wanted.architecture === 'amd64' && /^v[2-4]$/.test(wanted.variant)) {
    const level = Number(wanted.variant.slice(1))
    return [...Array.from({ length: level - 1 }, (_, i) => `v${level - i}`), '']
  }
  return [wanted.variant]
}

/** matchPlatform returns the first index entry that runs on `wanted`, skipping attestations. */
export function matchPlatform(
  entries: readonly Descriptor[],
  wanted: PlatformSpec,
): Descriptor | undefined {
  const candidates = entries
    .filter((d) => d.platform !== undefined && !isAttestation(d))
    .map((d) => ({ d, p: normalizePlatform(d.platform as Platform) }))
    .filter(({ p }) => p.os === wanted.os && p.architecture === wanted.architecture)
  for (const variant of acceptableVariants(wanted)) {
    const hit = candidates.find(({ p }) => p.variant === variant)
    if (hit) return hit.d
  }
  return undefined
}

/**
 * selectLegacyChild picks the one child a Legacy import keeps: the preferred platforms in
 * order, then linux/amd64, then the first entry that is not an attestation (OpenShift's
 * manifestFromManifestList, with normalisation and variants honoured).
 */
export function selectLegacyChild(
  entries: readonly Descriptor[],
  preferred: readonly PlatformSpec[],
): Descriptor | undefined {
  for (const wanted of [...preferred, normalizePlatform({ os: 'linux', architecture: 'amd64' })]) {
    const hit = matchPlatform(entries, wanted)
    if (hit) return hit
  }
  return entries.find((d) => !isAttestation(d))
}
