import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidReferenceError } from '../../reference/index.js'
import { UsageError } from '../errors.js'
import { completeImageInfoOptions, type ImageInfoFlags } from './image-info.js'

const HOME_CONFIG = '/home/u/.docker/config.json'

void describe('completeImageInfoOptions', () => {
  const rejects: {
    name: string
    operands: string[]
    flags?: ImageInfoFlags
    error: new (...args: never[]) => Error
    message: RegExp
  }[] = [
    {
      name: 'no IMAGE (oc message)',
      operands: [],
      error: UsageError,
      message: /^info expects at least one argument, an image pull spec$/,
    },
    {
      name: 'an output other than json (oc message)',
      operands: ['busybox'],
      flags: { output: 'yaml' },
      error: UsageError,
      message: /^unrecognized --output, only 'json' is supported$/,
    },
    {
      name: 'an IMAGE that is not a pull spec',
      operands: ['busybox', 'Upper/Case'],
      error: InvalidReferenceError,
      message: /^invalid image reference "Upper\/Case"/,
    },
    {
      name: 'a URL instead of a pull spec',
      operands: ['https://quay.io/x/y'],
      error: InvalidReferenceError,
      message: /scheme/,
    },
  ]
  for (const c of rejects) {
    void it(`rejects ${c.name}`, () => {
      assert.throws(
        () => completeImageInfoOptions(c.operands, c.flags ?? {}, {}, () => false),
        (err: unknown) => err instanceof c.error && c.message.test(err.message),
      )
    })
  }

  const configs: {
    name: string
    flags: ImageInfoFlags
    env: Record<string, string>
    exists: boolean
    want: [string | undefined, string]
  }[] = [
    {
      name: 'the flag wins over the environment',
      flags: { registryConfig: '/flag.json' },
      env: { REGISTRY_AUTH_FILE: '/env.json', HOME: '/home/u' },
      exists: true,
      want: ['/flag.json', '--registry-config'],
    },
    {
      name: '$REGISTRY_AUTH_FILE before ~/.docker/config.json',
      flags: {},
      env: { REGISTRY_AUTH_FILE: '/env.json', HOME: '/home/u' },
      exists: true,
      want: ['/env.json', '$REGISTRY_AUTH_FILE'],
    },
    {
      name: '~/.docker/config.json when it exists',
      flags: {},
      env: { HOME: '/home/u' },
      exists: true,
      want: [HOME_CONFIG, 'default'],
    },
    {
      name: 'none when ~/.docker/config.json does not exist',
      flags: {},
      env: { HOME: '/home/u' },
      exists: false,
      want: [undefined, 'default'],
    },
    {
      name: 'none without a home directory',
      flags: {},
      env: {},
      exists: true,
      want: [undefined, 'default'],
    },
  ]
  for (const c of configs) {
    void it(`registry config: ${c.name}`, () => {
      const o = completeImageInfoOptions(
        ['busybox'],
        c.flags,
        c.env,
        (p) => c.exists && p === HOME_CONFIG,
      )
      assert.deepEqual([o.registryConfig, o.registryConfigOrigin], c.want)
    })
  }

  void it('fills defaults and parses every IMAGE', () => {
    const o = completeImageInfoOptions(
      ['busybox', 'quay.io/a/b@sha256:' + 'a'.repeat(64)],
      { filterByOs: '', output: 'json', insecure: true },
      {},
      () => false,
    )
    assert.deepEqual(
      o.images.map((i) => i.ref),
      [
        { registry: 'docker.io', repository: 'library/busybox' },
        { registry: 'quay.io', repository: 'a/b', digest: 'sha256:' + 'a'.repeat(64) },
      ],
    )
    assert.equal(o.filterByOs, undefined, 'an empty --filter-by-os is no filter, as in oc')
    assert.equal(o.output, 'json')
    assert.equal(o.insecure, true)
    assert.equal(o.showMultiarch, false)
    assert.equal(o.additionalTrustedCa, undefined)
  })
})
