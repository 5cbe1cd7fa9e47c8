/**
 * `GET /version`. kubectl reads only major, minor and gitVersion, but the dispatcher kubectl on
 * Debian picks the kubectl binary it runs from `minor`, so the server reports the Kubernetes
 * API level it implements (1.32), not its own version (docs/kubernetes-api.md#version).
 */
import { arch, platform } from 'node:process'

/** KUBE_VERSION is the Kubernetes API level this server speaks. */
export const KUBE_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0' } as const

/** VersionInfo is the body of `/version`, in the apiserver's field order. */
export interface VersionInfo {
  readonly major: string
  readonly minor: string
  readonly gitVersion: string
  readonly gitCommit: string
  readonly gitTreeState: string
  readonly buildDate: string
  readonly goVersion: string
  readonly compiler: string
  readonly platform: string
}

const GO_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386', arm: 'arm' }

/**
 * versionInfo is the `/version` body; `serverVersion` (this product's version) goes into
 * gitCommit, the one free-form field clients show without parsing.
 */
export function versionInfo(serverVersion: string): VersionInfo {
  return {
    ...KUBE_VERSION,
    gitCommit: `imagestreams-${serverVersion}`,
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    // The field is Go's; clients only display it. Name the runtime that actually serves.
    goVersion: `node${process.versions.node}`,
    compiler: 'gc',
    platform: `${platform}/${GO_ARCH[arch] ?? arch}`,
  }
}
