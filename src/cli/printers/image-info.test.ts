import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  describeImage,
  describeImages,
  formatImageInfoJSON,
  manifestListMessage,
  type DescriptorView,
  type ImageView,
} from './image-info.js'

const d = (c: string): string => `sha256:${c.repeat(64)}`
const OCI = 'application/vnd.oci.image.manifest.v1+json'
const DOCKER = 'application/vnd.docker.distribution.manifest.v2+json'
const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip'
const NOW = new Date('2024-05-06T13:00:00Z')

const full: ImageView = {
  digest: d('a'),
  mediaType: OCI,
  manifest: {
    layers: [
      { mediaType: LAYER, digest: d('b'), size: 2_814_446 },
      { mediaType: LAYER, digest: d('c'), size: 1500 },
      { mediaType: LAYER, digest: d('d'), size: 0 },
    ],
  },
  config: {
    architecture: 'amd64',
    os: 'linux',
    created: '2024-05-01T12:00:00Z',
    config: {
      User: '1001',
      Env: ['PATH=/usr/bin', 'HOME=/root'],
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: ['echo hello'],
      WorkingDir: '/app',
      Labels: { vendor: 'acme', 'io.k8s.name': 'demo' },
      ExposedPorts: { '8080/tcp': {}, '443/tcp': {} },
    },
  },
}

const child = (digest: string, architecture: string, variant?: string): ImageView => ({
  digest,
  mediaType: DOCKER,
  manifest: { layers: [{ mediaType: LAYER, digest: d('e'), size: 1_000_000 }] },
  config: { architecture, os: 'linux', ...(variant && { variant }), config: {} },
})

const lines = (...l: string[]): string => l.join('\n')

void describe('describeImage', () => {
  const cases: { name: string; image: ImageView; ctx: object; want: string }[] = [
    {
      name: 'a single image by tag: every field, aligned on "Exposes Ports:"',
      image: full,
      ctx: { name: 'registry.example.com/team/app:v1' },
      want: lines(
        'Name:          registry.example.com/team/app:v1',
        `Digest:        ${d('a')}`,
        `Media Type:    ${OCI}`,
        'Created:       5d ago',
        'Image Size:    2.816MB in 3 layers',
        `Layers:        2.814MB ${d('b')}`,
        `               1.5kB   ${d('c')}`,
        `               --      ${d('d')}`,
        'OS:            linux',
        'Arch:          amd64',
        'Entrypoint:    /bin/sh -c',
        'Command:       echo hello',
        'Working Dir:   /app',
        'User:          1001',
        'Exposes Ports: 443/tcp, 8080/tcp',
        'Environment:   PATH=/usr/bin',
        '               HOME=/root',
        'Labels:        io.k8s.name=demo',
        '               vendor=acme',
        '',
        '',
      ),
    },
    {
      name: 'a child of a list: Manifest List line, no command, unknown creation time',
      image: child(d('1'), 'arm', 'v7'),
      ctx: { name: 'docker.io/library/busybox:latest', listDigest: d('f') },
      want: lines(
        'Name:          docker.io/library/busybox:latest',
        `Digest:        ${d('1')}`,
        `Manifest List: ${d('f')}`,
        `Media Type:    ${DOCKER}`,
        'Created:       <unknown>',
        'Image Size:    1MB in 1 layers',
        `Layers:        1MB ${d('e')}`,
        'OS:            linux',
        'Arch:          arm',
        'Command:       <none>',
        '',
        '',
      ),
    },
    {
      name: 'pulled by its own digest: no Digest line; no layers; author; volumes',
      image: {
        digest: d('2'),
        mediaType: OCI,
        manifest: { layers: [] },
        config: {
          architecture: 'arm64',
          os: 'linux',
          author: 'Jane <jane@example.com>',
          created: '2024-05-06T12:59:30Z',
          config: { Cmd: ['/app'], Volumes: { '/var/lib/data': {}, '/cache': {} } },
        },
      },
      ctx: { name: `quay.io/x/y@${d('2')}`, requestedDigest: d('2') },
      want: lines(
        `Name:       quay.io/x/y@${d('2')}`,
        `Media Type: ${OCI}`,
        'Created:    30s ago',
        'Layer Size: 0B',
        'OS:         linux',
        'Arch:       arm64',
        'Author:     Jane <jane@example.com>',
        'Command:    /app',
        'Volumes:    /cache',
        '            /var/lib/data',
        '',
        '',
      ),
    },
    {
      name: 'layers without sizes: size unavailable, Go zero time is unknown',
      image: {
        digest: d('3'),
        mediaType: DOCKER,
        manifest: {
          layers: [
            { mediaType: LAYER, digest: d('4'), size: 0 },
            { mediaType: LAYER, digest: d('5'), size: 0 },
          ],
        },
        config: {
          architecture: 'amd64',
          os: 'linux',
          created: '0001-01-01T00:00:00Z',
          config: { Entrypoint: ['/init'] },
        },
      },
      ctx: { name: 'example.com/a:b' },
      want: lines(
        'Name:       example.com/a:b',
        `Digest:     ${d('3')}`,
        `Media Type: ${DOCKER}`,
        'Created:    <unknown>',
        'Image Size: 2 layers (size unavailable)',
        `Layers:     -- ${d('4')}`,
        `            -- ${d('5')}`,
        'OS:         linux',
        'Arch:       amd64',
        'Entrypoint: /init',
        '',
        '',
      ),
    },
    {
      name: 'an image built decades ago reads in years',
      image: {
        ...child(d('6'), 'amd64'),
        config: { ...child(d('6'), 'amd64').config, created: '1970-01-01T00:00:00Z' },
      },
      ctx: { name: 'example.com/old:1' },
      want: lines(
        'Name:       example.com/old:1',
        `Digest:     ${d('6')}`,
        `Media Type: ${DOCKER}`,
        'Created:    54y ago',
        'Image Size: 1MB in 1 layers',
        `Layers:     1MB ${d('e')}`,
        'OS:         linux',
        'Arch:       amd64',
        'Command:    <none>',
        '',
        '',
      ),
    },
  ]
  for (const c of cases) {
    void it(c.name, () => {
      assert.equal(describeImage(c.image, { name: '', ...c.ctx, now: NOW }), c.want)
    })
  }
})

void describe('describeImages (--show-multiarch)', () => {
  void it('prints each image in list order, each block closed by a blank line', () => {
    const images = [child(d('1'), 'amd64'), child(d('2'), 'arm64')]
    const got = describeImages(images, () => ({
      name: 'example.com/multi:latest',
      listDigest: d('f'),
      now: NOW,
    }))
    const block = (digest: string, arch: string): string[] => [
      'Name:          example.com/multi:latest',
      `Digest:        ${digest}`,
      `Manifest List: ${d('f')}`,
      `Media Type:    ${DOCKER}`,
      'Created:       <unknown>',
      'Image Size:    1MB in 1 layers',
      `Layers:        1MB ${d('e')}`,
      'OS:            linux',
      `Arch:          ${arch}`,
      'Command:       <none>',
      '',
    ]
    assert.equal(got, lines(...block(d('1'), 'amd64'), ...block(d('2'), 'arm64'), ''))
  })
})

void describe('manifestListMessage', () => {
  const entry = (digest: string, os: string, architecture: string, variant?: string) =>
    ({
      mediaType: DOCKER,
      digest,
      size: 500,
      platform: { os, architecture, ...(variant && { variant }) },
    }) satisfies DescriptorView
  const cases: { name: string; children: DescriptorView[]; want: string }[] = [
    {
      name: 'lists OS/ARCH[/VARIANT] and digest, aligned, then a blank line',
      children: [
        entry(d('1'), 'linux', 'amd64'),
        entry(d('2'), 'linux', 'arm', 'v7'),
        entry(d('3'), 'linux', 'ppc64le'),
      ],
      want: lines(
        'the image is a manifest list and contains multiple images - use --filter-by-os to select from:',
        '',
        `  OS            DIGEST`,
        `  linux/amd64   ${d('1')}`,
        `  linux/arm/v7  ${d('2')}`,
        `  linux/ppc64le ${d('3')}`,
        '',
        '',
      ),
    },
    {
      name: 'an entry without a platform shows as "/", as oc does',
      children: [{ mediaType: DOCKER, digest: d('9'), size: 1 }],
      want: lines(
        'the image is a manifest list and contains multiple images - use --filter-by-os to select from:',
        '',
        `  OS DIGEST`,
        `  /  ${d('9')}`,
        '',
        '',
      ),
    },
  ]
  for (const c of cases) {
    void it(c.name, () => assert.equal(manifestListMessage(c.children), c.want))
  }
})

void describe('formatImageInfoJSON', () => {
  void it('one image: a single document shaped like oc info.Image, newline-terminated', () => {
    const image: ImageView = {
      ...child(d('1'), 'arm', 'v7'),
      config: {
        architecture: 'arm',
        os: 'linux',
        variant: 'v7',
        created: '2024-05-01T12:00:00Z',
        config: { Labels: { summary: 'a <b> & c' } },
      },
    }
    const got = formatImageInfoJSON([image], () => ({
      name: 'example.com/app:v1',
      listDigest: d('f'),
    }))
    assert.ok(got.endsWith('}\n'))
    // Go's encoder escapes <, > and & so the bytes match oc's output.
    assert.ok(got.includes('"summary": "a \\u003cb\\u003e \\u0026 c"'))
    assert.deepEqual(JSON.parse(got), {
      name: 'example.com/app:v1',
      digest: d('1'),
      contentDigest: d('1'),
      listDigest: d('f'),
      mediaType: DOCKER,
      layers: [{ mediaType: LAYER, size: 1_000_000, digest: d('e') }],
      config: {
        created: '2024-05-01T12:00:00Z',
        config: { Labels: { summary: 'a <b> & c' } },
        architecture: 'arm',
        size: 1_000_000,
        os: 'linux',
        variant: 'v7',
      },
    })
    assert.match(got, /^\{\n {2}"name": "example.com\/app:v1",\n {2}"digest": /)
  })

  void it('several images: an array; listDigest is "" for an image not from a list', () => {
    const got = formatImageInfoJSON([child(d('1'), 'amd64'), child(d('2'), 'arm64')], (i) => ({
      name: `example.com/app@${i.digest}`,
    }))
    const docs = JSON.parse(got) as { digest: string; listDigest: string }[]
    assert.deepEqual(
      docs.map((x) => [x.digest, x.listDigest]),
      [
        [d('1'), ''],
        [d('2'), ''],
      ],
    )
  })
})
