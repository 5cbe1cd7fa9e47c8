import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { CommandIO } from '../cli/io.js'
import { runImageInfo } from './image-info.js'

function capture(env: Record<string, string> = {}): CommandIO & { out(): string; err(): string } {
  let out = ''
  let err = ''
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env,
    now: () => new Date('2024-05-06T13:00:00Z'),
    out: () => out,
    err: () => err,
  }
}

// Every case fails before any network access, so none needs a registry.
void describe('runImageInfo argument validation', () => {
  let dir = ''
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'isctl-image-info-'))
    await writeFile(join(dir, 'not-json.json'), '{')
  })
  after(async () => rm(dir, { recursive: true, force: true }))

  const cases: {
    name: string
    args: () => string[]
    env?: Record<string, string>
    stderr: RegExp
  }[] = [
    {
      name: 'no IMAGE',
      args: () => [],
      stderr: /^error: info expects at least one argument, an image pull spec\n$/,
    },
    {
      name: 'an unknown flag',
      args: () => ['--bogus', 'busybox'],
      stderr: /^error: unknown option '--bogus'/,
    },
    {
      name: 'an invalid reference',
      args: () => ['busybox', 'Upper/Case'],
      stderr: /^error: invalid image reference "Upper\/Case": .+\n$/,
    },
    {
      name: 'a --filter-by-os that is not OS/ARCH[/VARIANT]',
      args: () => ['--filter-by-os=linux', 'busybox'],
      stderr:
        /^error: invalid platform "linux": expected OS\/ARCH\[\/VARIANT\], e\.g\. linux\/arm64\n$/,
    },
    {
      name: 'an unsupported output',
      args: () => ['-o', 'yaml', 'busybox'],
      stderr: /^error: unrecognized --output, only 'json' is supported\n$/,
    },
    {
      name: 'a --registry-config that does not exist',
      args: () => ['--registry-config', join(dir, 'missing.json'), 'busybox'],
      stderr:
        /^error: unable to load --registry-config: .*missing\.json: no such file or directory\n$/,
    },
    {
      name: 'a $REGISTRY_AUTH_FILE that does not exist',
      args: () => ['busybox'],
      env: { REGISTRY_AUTH_FILE: '/nonexistent/auth.json' },
      stderr:
        /^error: unable to load \$REGISTRY_AUTH_FILE: \/nonexistent\/auth\.json: no such file/,
    },
    {
      name: 'an --additional-trusted-ca that cannot be read',
      args: () => [
        '--registry-config',
        join(dir, 'not-json.json'),
        '--additional-trusted-ca',
        dir,
        'busybox',
      ],
      // The malformed config is a warning (its credentials are skipped), the CA an error.
      stderr:
        /^warning: .*not-json\.json.*\nerror: unable to read --additional-trusted-ca: .*: is a directory\n$/,
    },
  ]
  for (const c of cases) {
    void it(`exits 1 on ${c.name}`, async () => {
      const io = capture(c.env)
      assert.equal(await runImageInfo(c.args(), io), 1)
      assert.match(io.err(), c.stderr)
      assert.equal(io.out(), '')
    })
  }

  void it('prints help and exits 0 on --help', async () => {
    const io = capture()
    assert.equal(await runImageInfo(['--help'], io), 0)
    for (const flag of [
      '--registry-config',
      '--insecure',
      '--filter-by-os',
      '--show-multiarch',
      '--output',
      '--additional-trusted-ca',
    ]) {
      assert.ok(io.out().includes(flag), flag)
    }
  })
})
