/**
 * `isctl image info` output, in-process through runImageInfo, against a real plain-HTTP
 * registry holding the harness fixtures: oc's layout, list handling, filters and JSON.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { capturedIO } from '../../src/cli/testing/captured-io.js'
import { runImageInfo } from '../../src/cmd/image-info.js'
import { useRegistry } from '../harness/index.js'

const capture = () => capturedIO(new Date('2024-05-06T13:00:00Z'))

describe('isctl image info output', () => {
  const env = useRegistry({ auth: 'none' })
  const list = () => env.fx.dockerList
  const child = (arch: string) => list().children.find((c) => c.platform.architecture === arch)!

  const cases: {
    name: string
    args: () => string[]
    code: number
    stdout?: () => RegExp[]
    notStdout?: () => RegExp[]
    stderr?: () => RegExp[]
  }[] = [
    {
      name: 'a single image is described',
      args: () => [env.fx.ociSingle.reference],
      code: 0,
      stdout: () => [
        new RegExp(`^Name: +${env.fx.ociSingle.reference}\nDigest: +${env.fx.ociSingle.digest}\n`),
        /\nOS: +linux\nArch: +amd64\n/,
        /\nImage Size: +\S+ in 2 layers\n/,
      ],
      notStdout: () => [/Manifest List:/],
    },
    {
      name: 'an image pulled by its own digest has no Digest line',
      args: () => [`${env.reg.host}/${env.fx.ociSingle.repository}@${env.fx.ociSingle.digest}`],
      code: 0,
      stdout: () => [new RegExp(`^Name: +\\S+@${env.fx.ociSingle.digest}\nMedia Type:`)],
    },
    {
      name: 'a list is refused with the choices, the attestation left out',
      args: () => [list().reference],
      code: 1,
      stderr: () => [
        new RegExp(
          '^error: the image is a manifest list and contains multiple images - use --filter-by-os to select from:\n\n' +
            '  OS +DIGEST\n' +
            `  linux/amd64 +${child('amd64').digest}\n` +
            `  linux/arm64/v8 +${child('arm64').digest}\n` +
            `  linux/arm/v7 +${child('arm').digest}\n` +
            `  linux/ppc64le +${child('ppc64le').digest}\n\n$`,
        ),
      ],
    },
    {
      name: '--filter-by-os picks the child by an alias and names the list',
      args: () => [
        '--filter-by-os',
        'linux/aarch64',
        `${env.reg.host}/${list().repository}@${list().digest}`,
      ],
      code: 0,
      stdout: () => [
        new RegExp(`\nDigest: +${child('arm64').digest}\nManifest List: ${list().digest}\n`),
        /\nArch: +arm64\n/,
      ],
    },
    {
      name: '--filter-by-os for a platform the list lacks',
      args: () => ['--filter-by-os', 'linux/s390x', list().reference],
      code: 1,
      stderr: () => [
        /^error: .*has no image for linux\/s390x \(it has linux\/amd64, linux\/arm64\/v8, linux\/arm\/v7, linux\/ppc64le\)\n$/,
      ],
    },
    {
      name: '--show-multiarch describes every image child in list order',
      args: () => ['--show-multiarch', list().reference],
      code: 0,
      stdout: () => [
        /Arch: +amd64\n(.|\n)*Arch: +arm64\n(.|\n)*Arch: +arm\n(.|\n)*Arch: +ppc64le\n/,
      ],
    },
    {
      name: '--show-multiarch -o json is an array of the image children',
      args: () => ['--show-multiarch', '-o', 'json', list().reference],
      code: 0,
      stdout: () => [
        new RegExp(
          `^\\[\n {2}\\{\n {4}"name": "${list().reference}",\n {4}"digest": "${child('amd64').digest}"`,
        ),
        new RegExp(`("listDigest": "${list().digest}"(.|\n)*){4}`),
      ],
    },
    {
      name: 'a missing tag',
      args: () => [`${env.reg.host}/${env.fx.ociSingle.repository}:nope`],
      code: 1,
      stderr: () => [
        /^error: manifest nope not found in .*\/single\/oci-tool \(MANIFEST_UNKNOWN\)\n$/,
      ],
    },
  ]
  for (const c of cases) {
    it(c.name, async () => {
      const io = capture()
      const code = await runImageInfo(['--insecure', ...c.args()], io)
      assert.equal(code, c.code, io.err())
      for (const re of c.stdout?.() ?? []) assert.match(io.out(), re)
      for (const re of c.notStdout?.() ?? []) assert.doesNotMatch(io.out(), re)
      for (const re of c.stderr?.() ?? []) assert.match(io.err(), re)
      if (!c.stderr) assert.equal(io.err(), '')
    })
  }
})
