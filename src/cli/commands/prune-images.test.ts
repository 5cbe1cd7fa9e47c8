/**
 * `isctl adm prune images`: flags and defaults, oc's validation messages, workload inputs, and
 * whole runs of the verb against a real API server (the resource fixture on loopback).
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { Command } from 'commander'
import type { ImageStream } from '../../api/index.js'
import type { PrunePlan } from '../../pruner/types.js'
import {
  REGISTRY,
  START,
  startFixture,
  TOKEN,
  type Fixture,
} from '../../server/resources/testing/fixture.js'
import { runVerb } from '../testing/run-verb.js'
import {
  completePruneImagesOptions,
  configurePruneImages,
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

describe('adm prune images against a real server', () => {
  const G = '/apis/image.openshift.io/v1'
  const digest = (c: string) => `sha256:${c.repeat(64)}`
  // Newest first, as history is kept.
  const [A, B, C, D, E] = ['a', 'b', 'c', 'd', 'e'].map(digest) as [
    string,
    string,
    string,
    string,
    string,
  ]
  const event = (image: string, day: number) => ({
    created: `2025-12-${String(day).padStart(2, '0')}T00:00:00Z`,
    dockerImageReference: `quay.io/r/app@${image}`,
    image,
    generation: 1,
  })
  const NOW_AFTER = START + 24 * HOUR
  let fx: Fixture
  let dir: string
  let kubeconfig: string

  /** prune runs the verb as isctl does, a day after the fixture's start. */
  const prune = (args: string[], stdin?: string) =>
    runVerb(configurePruneImages, args, {
      kubeconfig,
      now: new Date(NOW_AFTER),
      ...(stdin !== undefined && { stdin }),
    })
  const history = async (ns: string, name: string) => {
    const res = await fx.request({
      method: 'GET',
      url: `${G}/namespaces/${ns}/imagestreams/${name}`,
    })
    const stream = res.json<ImageStream>()
    return stream.status?.tags?.map((t) => [t.tag, t.items?.map((i) => i.image)])
  }
  const imageExists = async (name: string) =>
    (await fx.request({ method: 'GET', url: `${G}/images/${name}` })).statusCode === 200

  before(async () => {
    fx = await startFixture()
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-prune-verb-'))
    for (const ns of ['team-a', 'team-b']) await fx.createNamespace(ns)
    for (const image of [A, B, C, D, E]) {
      const res = await fx.request({
        method: 'POST',
        url: `${G}/images`,
        body: { metadata: { name: image }, dockerImageReference: `quay.io/r/app@${image}` },
      })
      assert.equal(res.statusCode, 201, res.body)
    }
    const withHistory = async (ns: string, name: string, tags: unknown[]) => {
      const created = await fx.request({
        method: 'POST',
        url: `${G}/namespaces/${ns}/imagestreams`,
        body: { metadata: { name } },
      })
      const res = await fx.request({
        method: 'PUT',
        url: `${G}/namespaces/${ns}/imagestreams/${name}/status`,
        body: { ...created.json<ImageStream>(), status: { tags } },
      })
      assert.equal(res.statusCode, 200, res.body)
    }
    await withHistory('team-a', 'app', [
      { tag: 'v1', items: [event(A, 5), event(B, 4), event(C, 3), event(D, 2), event(E, 1)] },
    ])
    await withHistory('team-b', 'web', [{ tag: 'latest', items: [event(C, 3)] }])
    await fx.app.listen({ host: '127.0.0.1', port: 0 })
    const port = (fx.app.server.address() as AddressInfo).port
    kubeconfig = join(dir, 'kubeconfig')
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'c',
            cluster: {
              server: `https://127.0.0.1:${port}`,
              'certificate-authority-data': Buffer.from(fx.caCertPem).toString('base64'),
            },
          },
        ],
        users: [{ name: 'admin', user: { token: TOKEN } }],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'admin' } }],
        'current-context': 'c',
      }),
    )
  })
  after(async () => {
    await fx.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const DRY_RUN =
    'Dry run enabled - no modifications will be made. Add --confirm to remove images\n'
  const PLANNED = [
    'Deleting 2 items from image stream team-a/app',
    `Deleting blob ${D}`,
    `Deleting image ${D}`,
    `Deleting blob ${E}`,
    `Deleting image ${E}`,
    'Summary: deleted 2 image object(s), deleted 2 image stream tag item(s), updated 1 image stream(s), deleted 2 blob(s)',
    '',
  ].join('\n')

  it('a dry run prints what would go and changes nothing', async () => {
    assert.deepEqual(await prune([]), { code: 0, stdout: PLANNED, stderr: DRY_RUN })
    assert.deepEqual(await history('team-a', 'app'), [['v1', [A, B, C, D, E]]])
    assert.equal(await imageExists(E), true)
  })

  it('-o json prints the plan alone, with a decision and reason for every candidate', async () => {
    const res = await prune(['-o', 'json'])
    assert.equal(res.code, 0)
    assert.equal(res.stderr, DRY_RUN)
    const plan = JSON.parse(res.stdout) as PrunePlan
    assert.deepEqual(
      plan.streams.map((s) => [
        `${s.namespace}/${s.name}`,
        s.items.map((i) => [i.image, i.decision.action]),
      ]),
      [
        [
          'team-a/app',
          [
            [A, 'keep'],
            [B, 'keep'],
            [C, 'keep'],
            [D, 'delete'],
            [E, 'delete'],
          ],
        ],
        ['team-b/web', [[C, 'keep']]],
      ],
    )
    assert.deepEqual(plan.streams[0]!.items[0]!.decision, { action: 'keep', reasons: ['revision'] })
    assert.deepEqual(
      plan.images.filter((i) => i.decision.action === 'delete').map((i) => i.name),
      [D, E],
    )
  })

  it('a workload pinning a digest (read from stdin) keeps its image and history item', async () => {
    const pods = {
      kind: 'List',
      items: [
        {
          kind: 'Pod',
          metadata: { name: 'p', namespace: 'team-a' },
          spec: { containers: [{ name: 'c', image: `${REGISTRY}/team-a/app@${E}` }] },
          status: { phase: 'Running' },
        },
      ],
    }
    const res = await prune(['--workloads', '-', '--prune-registry=false'], JSON.stringify(pods))
    assert.deepEqual(res, {
      code: 0,
      stdout: [
        'Only API objects will be removed.  No modifications to the image registry will be made.',
        'Deleting 1 items from image stream team-a/app',
        `Deleting image ${D}`,
        'Summary: deleted 1 image object(s), deleted 1 image stream tag item(s), updated 1 image stream(s)',
        '',
      ].join('\n'),
      stderr: DRY_RUN,
    })
  })

  it('an invalid workload reference stops the run before anything changes', async () => {
    const file = join(dir, 'bad.yaml')
    writeFileSync(
      file,
      'kind: Pod\nmetadata: {name: p, namespace: team-a}\nspec:\n  containers: [{name: c, image: "Bad Ref!"}]\nstatus: {phase: Running}\n',
    )
    const res = await prune(['--workloads', file, '--confirm'])
    assert.equal(res.code, 1)
    assert.equal(res.stdout, '')
    assert.match(
      res.stderr,
      /^Failed to build graph!\n\nThe following objects have invalid references:\n\n {2}pod\/p namespace=team-a: [^\n]*Bad Ref![^\n]*\n\nEither fix the references or delete the objects to make the pruner proceed.\nerror: failed to build graph - no changes made\n$/,
    )
    assert.deepEqual(await history('team-a', 'app'), [['v1', [A, B, C, D, E]]])
    // With --ignore-invalid-refs the reference is skipped instead.
    assert.equal((await prune(['--workloads', file, '--ignore-invalid-refs'])).stdout, PLANNED)
  })

  it('a workloads file that is not kubectl output is an error', async () => {
    const file = join(dir, 'garbage.json')
    writeFileSync(file, '{"kind": ')
    const res = await prune(['--workloads', file])
    assert.equal(res.code, 1)
    assert.equal(res.stdout, '')
    assert.match(res.stderr, new RegExp(`^error: workloads file ${file}: `))
  })

  it('-n prunes that namespace’s history only, and deletes no image', async () => {
    const res = await prune(['-n', 'team-b'])
    assert.deepEqual(res, { code: 0, stdout: 'Summary: deleted 0 objects\n', stderr: DRY_RUN })
    const a = await prune(['-n', 'team-a', '--keep-tag-revisions=1'])
    assert.equal(
      a.stdout,
      'Deleting 4 items from image stream team-a/app\nSummary: deleted 4 image stream tag item(s), updated 1 image stream(s)\n',
    )
  })

  it('without a token the pruner refuses to run, as oc does', async () => {
    const certOnly = join(dir, 'cert-only')
    const config = JSON.parse(readFileSync(kubeconfig, 'utf8')) as {
      users: { user: Record<string, string> }[]
    }
    config.users[0]!.user = { 'client-certificate-data': 'eA==', 'client-key-data': 'eA==' }
    writeFileSync(certOnly, JSON.stringify(config))
    const saved = kubeconfig
    kubeconfig = certOnly
    try {
      assert.deepEqual(await prune(['--confirm']), {
        code: 1,
        stdout: '',
        stderr: 'error: you must use a client config with a token\n',
      })
    } finally {
      kubeconfig = saved
    }
  })

  it('--confirm does what the dry run printed; a second run finds nothing', async () => {
    const res = await prune(['--confirm', '--prune-registry=false'])
    assert.deepEqual(res, {
      code: 0,
      stdout: [
        'Only API objects will be removed.  No modifications to the image registry will be made.',
        'Deleting 2 items from image stream team-a/app',
        `Deleting image ${D}`,
        `Deleting image ${E}`,
        'Summary: deleted 2 image object(s), deleted 2 image stream tag item(s), updated 1 image stream(s)',
        '',
      ].join('\n'),
      stderr: '',
    })
    assert.deepEqual(await history('team-a', 'app'), [['v1', [A, B, C]]])
    assert.deepEqual(await history('team-b', 'web'), [['latest', [C]]])
    assert.equal(await imageExists(D), false)
    assert.equal(await imageExists(E), false)
    assert.equal(await imageExists(C), true)
    assert.deepEqual(await prune(['--confirm']), {
      code: 0,
      stdout: 'Summary: deleted 0 objects\n',
      stderr: '',
    })
  })
})
