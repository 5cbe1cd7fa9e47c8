import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidDigestError, InvalidReferenceError } from './errors.js'
import type { ImageReference } from './parse.js'
import { isValidTag, parseImageReference } from './parse.js'

const SHA256 = `sha256:${'a'.repeat(64)}`
const SHA512 = `sha512:${'b'.repeat(128)}`

function ref(registry: string, repository: string, tag?: string, digest?: string): ImageReference {
  return {
    registry,
    repository,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  }
}

interface Row {
  /** Table 1.3 row number, or a label for our extra cases. */
  readonly row: string
  readonly input: string
  /** Our result: the parsed reference, or an error whose message matches the RegExp. */
  readonly want: ImageReference | RegExp
  /** Where our result differs from distribution/reference, what distribution returns. */
  readonly distribution?: string
}

// distribution/reference's edge cases (its reference_test.go and normalize_test.go, and
// go-containerregistry's name tests), every row, expected results under our rules. The
// `distribution` column is set where we deliberately differ (parse.ts "Ours (a)-(d)"). Note that
// distribution's ParseDockerRef adds `:latest`; we leave the tag absent (tagOrLatest adds it).
const rows: readonly Row[] = [
  { row: '1', input: 'busybox', want: ref('docker.io', 'library/busybox') },
  { row: '2', input: 'library/busybox', want: ref('docker.io', 'library/busybox') },
  { row: '3', input: 'docker.io/busybox', want: ref('docker.io', 'library/busybox') },
  { row: '4', input: 'index.docker.io/busybox', want: ref('docker.io', 'library/busybox') },
  {
    row: '5',
    input: 'index.docker.io/library/busybox:1.36',
    want: ref('docker.io', 'library/busybox', '1.36'),
  },
  {
    row: '6',
    input: 'registry-1.docker.io/library/busybox',
    want: ref('docker.io', 'library/busybox'),
    distribution: 'registry-1.docker.io/library/busybox (alias not folded)',
  },
  {
    row: '7',
    input: 'registry-1.docker.io/busybox',
    want: ref('docker.io', 'library/busybox'),
    distribution: 'registry-1.docker.io/busybox (no library/, 404 on Hub)',
  },
  {
    row: '8',
    input: 'docker.io/library/foo/bar',
    want: ref('docker.io', 'library/foo/bar'),
  },
  { row: '9', input: 'myorg/myimage', want: ref('docker.io', 'myorg/myimage') },
  { row: '10', input: 'localhost/foo', want: ref('localhost', 'foo') },
  { row: '11', input: 'localhost:5000/foo', want: ref('localhost:5000', 'foo') },
  {
    row: '12a',
    input: 'LOCALDOMAIN/foo',
    want: ref('localdomain', 'foo'),
    distribution: 'domain LOCALDOMAIN (case kept)',
  },
  {
    // Formatting gives "foo/bar", which parses back as docker.io/foo/bar: a dotless uppercase
    // host only survives a round trip in the user's own spelling.
    row: '12b',
    input: 'Foo/bar',
    want: ref('foo', 'bar'),
    distribution: 'domain Foo (case kept)',
  },
  { row: '13', input: 'docker/Docker', want: /repository name "docker\/Docker" must be lowercase/ },
  { row: '14', input: 'quay.io/Org/repo', want: /must be lowercase; write "org\/repo"$/ },
  {
    row: '14b',
    input: 'Bad Ref!',
    want: /^invalid image reference "Bad Ref!": path component "Bad Ref!" is invalid: use lowercase/,
  },
  {
    row: '15',
    input: 'EXAMPLE.com/foo',
    want: ref('example.com', 'foo'),
    distribution: 'domain EXAMPLE.com (case kept)',
  },
  { row: '16', input: 'test_com/foo', want: ref('docker.io', 'test_com/foo') },
  { row: '17', input: 'test.com:8080/foo', want: ref('test.com:8080', 'foo') },
  // The port stays: an image reference does not know the scheme (credentials fold it,
  // docs/credentials.md#default-ports).
  { row: '18', input: 'example.com:443/foo', want: ref('example.com:443', 'foo') },
  { row: '19', input: '192.168.1.1', want: ref('docker.io', 'library/192.168.1.1') },
  {
    row: '20',
    input: '192.168.1.1:5000',
    want: /^invalid image reference "192\.168\.1\.1:5000": it looks like a registry host and port without a repository; write host:port\/repository\[:tag\], e\.g\. "192\.168\.1\.1:5000\/myimage"$/,
    distribution: 'docker.io/library/192.168.1.1, tag 5000',
  },
  {
    row: '21',
    input: '192.168.1.1:5000/repo:5050',
    want: ref('192.168.1.1:5000', 'repo', '5050'),
  },
  {
    row: '22',
    input: 'foo_bar.com:8080',
    want: /looks like a registry host and port without a repository/,
    distribution: 'docker.io/library/foo_bar.com, tag 8080',
  },
  {
    row: '23',
    input: '[2001:db8::1]:5000/repo:tag',
    want: ref('[2001:db8::1]:5000', 'repo', 'tag'),
  },
  // Distribution also errors (path "[2001:db8::1]" is invalid); our message names the cause.
  {
    row: '24',
    input: '[2001:db8::1]:5000',
    want: /looks like a registry host and port without a repository/,
  },
  { row: '25', input: 'fc00::1:5000/debian', want: /put the address in brackets/ },
  { row: '26', input: '[fe80::1%eth0]:5000/debian', want: /IPv6 zone/ },
  {
    row: '27',
    input: 'gcr.io/google.com/project/hello-world',
    want: ref('gcr.io', 'google.com/project/hello-world'),
  },
  {
    row: '28',
    input: 'b.gcr.io/test.example.com/my-app:test.example.com',
    want: ref('b.gcr.io', 'test.example.com/my-app', 'test.example.com'),
  },
  {
    row: '29',
    input: 'xn--n3h.com/myimage:xn--n3h.com',
    want: ref('xn--n3h.com', 'myimage', 'xn--n3h.com'),
  },
  {
    row: '30',
    input: `example.com/foo:tag@${SHA256}`,
    want: ref('example.com', 'foo', 'tag', SHA256),
    distribution: 'ParseDockerRef drops the tag (ParseNormalizedNamed keeps both)',
  },
  {
    row: '31',
    input: 'example.com/foo@sha256:ffff',
    want: /has 64 hex characters, this one has 4/,
  },
  {
    row: '32',
    input: `example.com/foo@${SHA512}`,
    want: ref('example.com', 'foo', undefined, SHA512),
  },
  {
    row: '33',
    input: `example.com/foo@md5:${'c'.repeat(32)}`,
    want: /unsupported digest algorithm "md5"/,
  },
  {
    row: '34',
    input: 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c',
    want: /is an image ID, not a reference/,
  },
  {
    row: '35',
    input: 'lowercase:Uppercase',
    want: ref('docker.io', 'library/lowercase', 'Uppercase'),
  },
  { row: '36', input: 'dock..er/docker', want: /registry host "dock\.\.er" is invalid/ },
  { row: '37a', input: 'dock__er/docker', want: ref('docker.io', 'dock__er/docker') },
  { row: '37b', input: 'docker---rules/docker', want: ref('docker.io', 'docker---rules/docker') },
  { row: '38a', input: 'docker-/docker', want: /path component "docker-" is invalid/ },
  { row: '38b', input: '-docker/docker', want: /path component "-docker" is invalid/ },
  { row: '38c', input: 'docker///docker', want: /empty path component/ },
  {
    row: '39',
    input: 'https://registry.example.com/foo',
    want: /a scheme \(https:\/\/\) is not part of an image reference; write "registry\.example\.com\/foo"$/,
  },
  { row: '40', input: 'registry.example.com/foo:', want: /the tag after ":" is empty/ },
  { row: '41a', input: 'registry.example.com/foo:.tag', want: /tag "\.tag" is invalid/ },
  { row: '41b', input: 'registry.example.com/foo:-tag', want: /tag "-tag" is invalid/ },
  {
    row: '41c',
    input: 'registry.example.com/foo:_tag',
    want: ref('registry.example.com', 'foo', '_tag'),
  },
  {
    row: '42a',
    input: `example.com/${'a'.repeat(243)}:tag`,
    want: ref('example.com', 'a'.repeat(243), 'tag'),
  },
  {
    row: '42b',
    input: `example.com/${'a'.repeat(244)}:tag`,
    want: /: repository name must not be more than 255 characters; this one has 256$/,
  },
  {
    row: '42c',
    input: `example.com/${'a'.repeat(255)}:tag`,
    want: /: repository name must not be more than 255 characters; this one has 267$/,
    distribution: 'newer releases count the path alone (255) and accept it; OpenShift refuses it',
  },
  {
    row: '43a',
    input: `example.com/foo:${'t'.repeat(128)}`,
    want: ref('example.com', 'foo', 't'.repeat(128)),
  },
  { row: '43b', input: `example.com/foo:${'t'.repeat(129)}`, want: /tag "t+" is invalid/ },
  { row: '44a', input: ':justtag', want: /repository name is missing/ },
  { row: '44b', input: `@${SHA256}`, want: /repository name is missing/ },
  { row: '44c', input: '', want: /it is empty/ },

  // Our additions.
  { row: 'ipv6 loopback', input: '[::1]:5000/repo', want: ref('[::1]:5000', 'repo') },
  {
    row: 'ipv6 uppercase host',
    input: '[2001:DB8::1]:5000/repo',
    want: ref('[2001:db8::1]:5000', 'repo'),
  },
  {
    row: 'uppercase digest hex',
    input: `example.com/foo@sha256:${'A'.repeat(64)}`,
    want: /the hex part must be lowercase/,
  },
  {
    row: 'sha512 with tag',
    input: `quay.io/org/app:v1@${SHA512}`,
    want: ref('quay.io', 'org/app', 'v1', SHA512),
  },
  {
    row: 'digest only',
    input: `busybox@${SHA256}`,
    want: ref('docker.io', 'library/busybox', undefined, SHA256),
  },
  {
    row: 'Hub alias in uppercase',
    input: 'Index.Docker.IO/busybox',
    want: ref('docker.io', 'library/busybox'),
  },
  { row: 'localhost:5000 (rule b)', input: 'localhost:5000', want: /host and port/ },
  {
    row: 'host:port with digest (rule b)',
    input: `10.0.0.5:5000@${SHA256}`,
    want: /host and port/,
  },
  // Rule (b) needs a host-like name: a plain Hub name with a numeric tag is common and valid.
  {
    row: 'numeric tag on a Hub name',
    input: 'node:20',
    want: ref('docker.io', 'library/node', '20'),
  },
  {
    row: 'host:5000 (plain name, kept as Hub)',
    input: 'host:5000',
    want: ref('docker.io', 'library/host', '5000'),
  },
  { row: 'localhost alone', input: 'localhost', want: ref('docker.io', 'library/localhost') },
  { row: 'missing path', input: 'example.com/', want: /repository path is missing/ },
  { row: 'non-numeric port', input: 'example.com:http/foo', want: /registry host .* is invalid/ },
  { row: 'other scheme', input: 'docker://busybox', want: /a scheme \(docker:\/\/\)/ },
  { row: 'unsupported digest grammar', input: 'busybox@latest', want: /<algorithm>:<hex>/ },
  {
    row: 'Hub path over 255 after library/',
    input: 'a'.repeat(250),
    want: /this one has 258 once Docker Hub's "library\/" is added$/,
    distribution: 'OpenShift counts the name as written (250) and accepts it',
  },
]

void describe('parseImageReference: edge cases and additions', () => {
  for (const { row, input, want, distribution } of rows) {
    const label = input.length > 60 ? `${input.slice(0, 60)}...` : input
    const suffix = distribution === undefined ? '' : ` (distribution: ${distribution})`
    void it(`row ${row}: ${JSON.stringify(label)}${suffix}`, () => {
      if (want instanceof RegExp) {
        assert.throws(
          () => parseImageReference(input),
          (error: unknown) => {
            assert.ok(error instanceof InvalidReferenceError)
            assert.equal(error.code, 'InvalidReference')
            assert.equal(error.input, input)
            assert.match(error.message, want)
            return true
          },
        )
      } else {
        assert.deepEqual(parseImageReference(input), want)
      }
    })
  }

  void it('every error row has a message naming the input', () => {
    for (const { input, want } of rows) {
      if (!(want instanceof RegExp) || input.length > 200) {
        continue
      }
      assert.throws(() => parseImageReference(input), {
        message: new RegExp(`^invalid image reference ${escape(JSON.stringify(input))}: `),
      })
    }
  })

  void it('keeps the digest error as the cause', () => {
    assert.throws(
      () => parseImageReference('example.com/foo@sha256:ffff'),
      (error: unknown) =>
        error instanceof InvalidReferenceError &&
        error.cause instanceof InvalidDigestError &&
        error.cause.code === 'InvalidDigest',
    )
  })
})

void describe('isValidTag', () => {
  const cases: readonly (readonly [string, boolean])[] = [
    ['latest', true],
    ['v1.2.3-rc_1', true],
    ['_tag', true],
    ['Uppercase', true],
    ['t'.repeat(128), true],
    ['t'.repeat(129), false],
    ['', false],
    ['.tag', false],
    ['-tag', false],
    ['a/b', false],
    ['a:b', false],
    ['a+b', false],
  ]
  for (const [tag, valid] of cases) {
    void it(`${JSON.stringify(tag.length > 20 ? `${tag.slice(0, 20)}...` : tag)} -> ${valid}`, () => {
      assert.equal(isValidTag(tag), valid)
    })
  }
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
