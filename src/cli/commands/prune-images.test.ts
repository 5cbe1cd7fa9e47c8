/** Unit tests of `isctl adm prune images`: flags and defaults, oc's validation messages, workload inputs. */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { Command } from 'commander'
import {
  completePruneImagesOptions,
  configurePruneImagesCommand,
  hasToken,
  readWorkloadFiles,
  registryURLProblem,
  type PruneImagesFlags,
} from './prune-images.js'

const NOW = Date.parse('2026-03-01T12:00:00Z')
const HOUR = 3_600_000

/** parse runs commander over `args` as the verb declares its flags, and returns them. */
function parse(args: string[]): { operands: string[]; flags: PruneImagesFlags } {
  const cmd = configurePruneImagesCommand(new Command('images'))
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined })
  cmd.action(() => undefined)
  cmd.parse(args, { from: 'user' })
  return { operands: cmd.args, flags: cmd.opts<PruneImagesFlags>() }
}

function complete(args: string[], namespace?: string) {
  const { operands, flags } = parse(args)
  return completePruneImagesOptions(operands, flags, namespace, NOW)
}

describe('adm prune images: defaults and flags', () => {
  it("has oc's defaults and ours", () => {
    assert.deepEqual(complete([]), {
      run: {
        keepTagRevisions: 3,
        keepYoungerThanMs: 60 * 60_000,
        keepPulledWithinMs: 168 * HOUR,
        all: true,
        pruneOverSizeLimit: false,
        namespace: undefined,
        pruneRegistry: true,
        now: NOW,
        confirm: false,
        numWorkers: 5,
        ignoreInvalidRefs: false,
      },
      workloads: [],
      output: 'text',
      notices: [],
    })
  })

  it('reads every flag, Go booleans and durations included', () => {
    const opts = complete(
      [
        '--confirm',
        '--all=false',
        '--keep-tag-revisions=0',
        '--keep-younger-than',
        '1h30m',
        '--keep-pulled-within=0',
        '--prune-registry=false',
        '--ignore-invalid-refs=true',
        '--num-workers=2',
        '--workloads',
        'a.json',
        '--workloads=-',
        '--workloads',
        'b.yaml',
        '-o',
        'json',
      ],
      'team-a',
    )
    assert.deepEqual(opts.run, {
      keepTagRevisions: 0,
      keepYoungerThanMs: 1.5 * HOUR,
      keepPulledWithinMs: 0,
      all: false,
      pruneOverSizeLimit: false,
      namespace: 'team-a',
      pruneRegistry: false,
      now: NOW,
      confirm: true,
      numWorkers: 2,
      ignoreInvalidRefs: true,
    })
    assert.deepEqual(opts.workloads, ['a.json', '-', 'b.yaml'])
    assert.equal(opts.output, 'json')
  })

  it('--prune-over-size-limit replaces both keep rules', () => {
    const { run } = complete(['--prune-over-size-limit'])
    assert.equal(run.pruneOverSizeLimit, true)
    assert.equal(run.keepTagRevisions, 0)
    assert.equal(run.keepYoungerThanMs, 0)
    assert.equal(run.keepPulledWithinMs, 168 * HOUR, 'what was pulled stays in use')
  })

  it('--prune-over-size-limit=false is the default mode, keep rules included', () => {
    const { run } = complete(['--prune-over-size-limit=false', '--keep-tag-revisions=1'])
    assert.equal(run.pruneOverSizeLimit, false)
    assert.equal(run.keepTagRevisions, 1)
    assert.equal(run.keepYoungerThanMs, HOUR)
  })

  it('fewer than one worker means the default, as in oc', () => {
    assert.equal(complete(['--num-workers=0']).run.numWorkers, 5)
    assert.equal(complete(['--num-workers=-3']).run.numWorkers, 5)
  })

  it('the registry flags are validated as oc does, then said to have no effect', () => {
    assert.deepEqual(
      complete([
        '--registry-url=https://registry.example.org:5000',
        '--certificate-authority=/ca.crt',
      ]).notices,
      [
        'Flag --registry-url has no effect: the integrated registry is the API server, reached through the same connection.',
        'Flag --certificate-authority has no effect: the integrated registry is the API server, reached through the same connection.',
      ],
    )
    assert.deepEqual(complete(['--force-insecure=false']).notices, [
      'Flag --force-insecure has no effect: the integrated registry is the API server, reached through the same connection.',
    ])
  })
})

describe('adm prune images: refused flags (in oc order, with oc texts)', () => {
  const rows: [string, string[], string][] = [
    [
      'a keep-tag-revisions that is not a number',
      ['--keep-tag-revisions=three', 'x'],
      'invalid argument "three" for "--keep-tag-revisions" flag: strconv.ParseInt: parsing "three": invalid syntax',
    ],
    [
      'a keep-younger-than without unit',
      ['--keep-younger-than=60'],
      'invalid argument "60" for "--keep-younger-than" flag: time: missing unit in duration "60"',
    ],
    [
      'a keep-younger-than in days',
      ['--keep-younger-than=7d'],
      'invalid argument "7d" for "--keep-younger-than" flag: time: unknown unit "d" in duration "7d"',
    ],
    [
      'a keep-pulled-within that is not a duration',
      ['--keep-pulled-within=week'],
      'invalid argument "week" for "--keep-pulled-within" flag: time: invalid duration "week"',
    ],
    [
      'a num-workers that is not a number',
      ['--num-workers=many'],
      'invalid argument "many" for "--num-workers" flag: strconv.ParseInt: parsing "many": invalid syntax',
    ],
    ['an operand', ['images'], 'no arguments are allowed to this command'],
    [
      'size-limit mode with keep-tag-revisions',
      ['--prune-over-size-limit', '--keep-tag-revisions=3', '--keep-younger-than=-1s'],
      '--prune-over-size-limit cannot be specified with --keep-tag-revisions nor --keep-younger-than',
    ],
    [
      'size-limit mode with keep-younger-than',
      ['--prune-over-size-limit=true', '--keep-younger-than=60m'],
      '--prune-over-size-limit cannot be specified with --keep-tag-revisions nor --keep-younger-than',
    ],
    [
      'a negative keep-younger-than',
      ['--keep-younger-than=-1m', '--keep-tag-revisions=-1'],
      '--keep-younger-than must be greater than or equal to 0',
    ],
    [
      'a negative keep-tag-revisions',
      ['--keep-tag-revisions=-1'],
      '--keep-tag-revisions must be greater than or equal to 0',
    ],
    [
      'a negative keep-pulled-within',
      ['--keep-pulled-within=-1h'],
      '--keep-pulled-within must be greater than or equal to 0',
    ],
    [
      'a registry URL with a path',
      ['--registry-url=registry.example.org/v2'],
      'invalid --registry-url flag: no path after <host>[:<port>] is allowed',
    ],
    [
      'a registry URL with a query',
      ['--registry-url=https://registry.example.org?x=1'],
      'invalid --registry-url flag: no query arguments are allowed after <host>[:<port>]',
    ],
    [
      'a registry URL with another scheme',
      ['--registry-url=ftp://registry.example.org'],
      'invalid --registry-url flag: unsupported scheme: ftp',
    ],
    [
      'a CA with force-insecure',
      ['--certificate-authority=/ca.crt', '--force-insecure'],
      '--certificate-authority cannot be specified with --force-insecure',
    ],
    [
      'a CA for an http registry',
      ['--certificate-authority=/ca.crt', '--registry-url=http://registry.example.org'],
      '--certificate-authority cannot be specified for insecure http protocol',
    ],
    [
      'standard input twice',
      ['--workloads=-', '--workloads', '-'],
      '--workloads - (standard input) can be given only once',
    ],
    [
      'an output format other than json',
      ['-o', 'yaml'],
      'unable to match a printer suitable for the output format "yaml", allowed formats are: json',
    ],
  ]
  for (const [what, args, message] of rows) {
    it(what, () => assert.throws(() => complete(args), { name: 'UsageError', message }))
  }

  it('a Go boolean that is not one is refused by the parser', () => {
    assert.throws(() => parse(['--confirm=yes']), {
      message:
        'error: invalid argument "yes" for "--confirm" flag: strconv.ParseBool: parsing "yes": invalid syntax',
    })
  })
})

describe('registryURLProblem', () => {
  const rows: [string, string | undefined][] = [
    ['registry.example.org', undefined],
    ['registry.example.org:5000', undefined],
    ['https://registry.example.org/', undefined],
    ['http://10.0.0.1:5000', undefined],
    ['registry.example.org/path', 'no path after <host>[:<port>] is allowed'],
    ['https://', 'parse "https://": invalid URL'],
  ]
  for (const [input, problem] of rows) {
    it(`${input} → ${problem ?? 'fine'}`, () => assert.equal(registryURLProblem(input), problem))
  }
})

describe('readWorkloadFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imagestreams-prune-cli-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('reads files and standard input in the order given', async () => {
    const file = join(dir, 'pods.json')
    writeFileSync(file, '{"kind":"List","items":[]}')
    const sources = await readWorkloadFiles([file, '-'], {
      readStdin: () => Promise.resolve('kind: Pod\n'),
    })
    assert.deepEqual(sources, [
      { name: file, text: '{"kind":"List","items":[]}' },
      { name: '-', text: 'kind: Pod\n' },
    ])
  })

  it("says which path does not exist, as kubectl's -f does", async () => {
    const missing = join(dir, 'nope.json')
    await assert.rejects(readWorkloadFiles([missing], {}), {
      name: 'UsageError',
      message: `the path "${missing}" does not exist`,
    })
  })

  it('refuses a directory with the reason', async () => {
    await assert.rejects(readWorkloadFiles([dir], {}), {
      name: 'UsageError',
      message: new RegExp(`^unable to read "${dir}": EISDIR`),
    })
  })
})

describe('hasToken', () => {
  const session = (user: Record<string, string>) =>
    ({ context: { user } }) as unknown as Parameters<typeof hasToken>[0]
  it('needs a token or a token file, as oc needs a bearer token', () => {
    assert.equal(hasToken(session({ token: 't' })), true)
    assert.equal(hasToken(session({ tokenFile: '/t' })), true)
    assert.equal(hasToken(session({ 'client-certificate': '/c' })), false)
  })
})
