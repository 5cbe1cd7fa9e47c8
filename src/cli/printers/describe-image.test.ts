import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Image } from '../../api/image.js'
import { describeImage } from './describe-image.js'

const d = (c: string): string => `sha256:${c.repeat(64)}`
const NOW = new Date('2024-05-06T13:00:00Z')
const REPO = 'registry.example.com:5000/multi/app'

const single: Image = {
  metadata: {
    name: d('a'),
    creationTimestamp: '2024-05-06T12:00:00Z',
    annotations: { 'image.openshift.io/dockerLayersOrder': 'ascending' },
  },
  dockerImageReference: `${REPO}@${d('a')}`,
  dockerImageMetadata: {
    Created: '2024-05-01T12:00:00.123456789Z',
    Architecture: 'amd64',
    Size: 2_815_946,
    Config: {
      User: '1001',
      Env: ['PATH=/usr/bin', 'HOME=/root'],
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: ['echo hello'],
      WorkingDir: '/app',
      Labels: { vendor: 'acme', 'io.k8s.name': 'demo' },
      ExposedPorts: { '8080/tcp': {}, '443/tcp': {} },
      Volumes: { '/var/lib/b': {}, '/data': {} },
    },
  },
  dockerImageLayers: [
    { name: d('b'), size: 2_814_446, mediaType: 'x' },
    { name: d('c'), size: 1500, mediaType: 'x' },
  ],
}

const SINGLE_TEXT = `Image Name:\tapp:v1
Docker Image:\t${REPO}@${d('a')}
Name:\t\t${d('a')}
Created:\tAbout an hour ago
Annotations:\timage.openshift.io/dockerLayersOrder=ascending
Image Size:\t2.816MB in 2 layers
Layers:\t\t2.814MB\t${d('b')}
\t\t1.5kB\t${d('c')}
Image Created:\t5 days ago
Author:\t\t<none>
Arch:\t\tamd64
Entrypoint:\t/bin/sh -c
Command:\techo hello
Working Dir:\t/app
User:\t\t1001
Exposes Ports:\t443/tcp, 8080/tcp
Docker Labels:\tio.k8s.name=demo
\t\tvendor=acme
Environment:\tPATH=/usr/bin
\t\tHOME=/root
Volumes:\t/data
\t\t/var/lib/b
`

const list: Image = {
  metadata: { name: d('f'), labels: { a: 'b' }, annotations: { description: 'multi' } },
  dockerImageReference: `${REPO}@${d('f')}`,
  dockerImageMetadata: { Created: '2024-05-06T12:59:59Z' },
  dockerImageManifests: [
    { digest: d('1'), mediaType: 'x', manifestSize: 1, architecture: 'amd64', os: 'linux' },
    {
      digest: d('2'),
      mediaType: 'x',
      manifestSize: 1,
      architecture: 'arm64',
      os: 'linux',
      variant: 'v8',
    },
    { digest: d('3'), mediaType: 'x', manifestSize: 1, architecture: 'ppc64le', os: 'linux' },
  ],
}

const LIST_TEXT = `Docker Image:\t${REPO}@${d('f')}
Name:\t\t${d('f')}
Labels:\t\ta=b
Description:\tmulti
Annotations:\t<none>
Layer Size:\t0B
Image Created:\t1 second ago
Author:\t\t<none>
Arch:\t\t<none>
Manifests:\tlinux/amd64\t${d('1')}
\t\tlinux/arm64/v8\t${d('2')}
\t\tlinux/ppc64le\t${d('3')}
Command:\t<none>
Working Dir:\t<none>
User:\t\t<none>
Exposes Ports:\t<none>
Docker Labels:\t<none>
`

void describe('describeImage', () => {
  void it('prints a runnable image with its layers and config', () => {
    assert.equal(describeImage(single, 'app:v1', NOW), SINGLE_TEXT)
  })

  void it('prints a manifest list with Arch <none> and its manifests, without Image Name', () => {
    assert.equal(describeImage(list, '', NOW), LIST_TEXT)
  })

  void it('reads an absent creation time as Go zero time, and prints signatures', () => {
    const image: Image = {
      metadata: { name: d('9') },
      signatures: [
        { metadata: { name: `${d('9')}@s1` }, type: 'atomic', content: '' },
        {
          metadata: { name: `${d('9')}@s2` },
          type: 'atomic',
          content: '',
          issuedBy: { commonName: 'acme' },
          conditions: [
            {
              type: 'Trusted',
              status: 'True',
              message: 'ok',
              lastProbeTime: '2024-05-06T12:00:00Z',
            },
          ],
        },
      ],
    }
    const text = describeImage(image, '', NOW)
    assert.match(text, /^Image Created:\t\t292 years ago$/m)
    const signatures =
      `Image Signatures:\t \n` +
      `\t\t\tName:\t${d('9')}@s1\n\t\t\tType:\tatomic\n\t\t\tStatus:\tUnverified\n` +
      `Image Signatures:\t \n` +
      `\t\t\tName:\t\t${d('9')}@s2\n\t\t\tType:\t\tatomic\n\t\t\tStatus:\t\tVerified\n` +
      `\t\t\tIssued By:\tacme\n` +
      `\t\t\t:\t\tSignature is Trusted (ok on 2024-05-06 12:00:00 +0000 UTC)\n`
    assert.ok(text.includes(signatures), text)
  })
})
