import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Secret } from '../../api/core.js'
import { checkConfigMapKey } from '../../api/names.js'
import { ApiError } from '../client/api-errors.js'
import type { ApiClient } from '../client/api-client.js'
import type { Session } from '../client/session.js'
import type { CommandIO } from '../io.js'
import { splitSlice } from '../go-flags.js'
import { goJsonString } from '../printers/go-encoding.js'
import { errorText } from '../report-error.js'
import {
  dockerConfigJson,
  goBase,
  parseEnvFile,
  parseFileSource,
  parseLiteralSource,
  runCreateSecretDockerRegistry,
  runCreateSecretGeneric,
  SecretData,
  secretHash,
  type Connect,
} from './create-secret.js'

/** The kubectl on PATH: the comparison fails, rather than being skipped, where there is none. */
const KUBECTL = 'kubectl'

function bufferIO(env: Record<string, string> = {}) {
  const out = { stdout: '', stderr: '' }
  const io: CommandIO = {
    stdout: { write: (s: string) => (out.stdout += s) },
    stderr: { write: (s: string) => (out.stderr += s) },
    env,
    now: () => new Date(0),
  }
  return { io, out }
}

/** run drives a verb in-process and reports what a user sees, as the binary would print it. */
async function run(
  verb: 'generic' | 'docker-registry',
  args: string[],
  env: Record<string, string> = {},
  connect?: Connect,
) {
  const { io, out } = bufferIO(env)
  const { operands, flags } = parseArgs(args)
  let code: number
  try {
    code =
      verb === 'generic'
        ? await runCreateSecretGeneric(operands, flags, io, connect)
        : await runCreateSecretDockerRegistry(operands, flags, io, connect)
  } catch (err) {
    out.stderr += `${errorText(err)}\n`
    code = 1
  }
  return { code, ...out }
}

/** parseArgs is a small stand-in for commander: `--flag=value` only, repeatable ones collected. */
function parseArgs(args: string[]) {
  const operands: string[] = []
  const flags: Record<string, unknown> = {}
  const repeatable = new Set(['fromFile', 'fromLiteral', 'fromEnvFile'])
  for (const arg of args) {
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg)
    if (!m) {
      operands.push(arg)
      continue
    }
    const name = m[1]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
    const value = m[2] ?? true
    if (repeatable.has(name)) flags[name] = [...((flags[name] as string[]) ?? []), value]
    else flags[name] = value
  }
  return { operands, flags }
}

void describe('source parsing (kubectl ParseFileSource, ParseLiteralSource)', () => {
  const files: [string, { key: string | undefined; path: string } | string][] = [
    ['path/to/file', { key: undefined, path: 'path/to/file' }],
    [
      '.dockerconfigjson=/home/u/.docker/config.json',
      { key: '.dockerconfigjson', path: '/home/u/.docker/config.json' },
    ],
    ['=file', 'key name for file path file missing'],
    ['key=', 'file path for key name key missing'],
    ['a=b=c', `key names or file paths cannot contain '='`],
  ]
  for (const [source, want] of files) {
    it(`--from-file=${source}`, () => {
      if (typeof want === 'string') assert.throws(() => parseFileSource(source), { message: want })
      else assert.deepEqual(parseFileSource(source), want)
    })
  }
  const literals: [string, [string, string] | string][] = [
    ['a=b', ['a', 'b']],
    ['a=b=c', ['a', 'b=c']],
    ['a=', ['a', '']],
    ['a', 'invalid literal source a, expected key=value'],
    ['=b', 'invalid literal source =b, expected key=value'],
  ]
  for (const [source, want] of literals) {
    it(`--from-literal=${source}`, () => {
      if (typeof want === 'string') {
        assert.throws(() => parseLiteralSource(source), { message: want })
      } else assert.deepEqual(parseLiteralSource(source), want)
    })
  }
  it('splits comma-separated slice values as pflag does', () => {
    assert.deepEqual(splitSlice(['a,b', 'c', '']), ['a', 'b', 'c'])
    assert.deepEqual(splitSlice(undefined), [])
  })
  it('takes the basename as Go path.Base does', () => {
    const cases: [string, string][] = [
      ['dir/file', 'file'],
      ['dir/', 'dir'],
      ['file', 'file'],
      ['/', '/'],
      ['', '.'],
      ['./', '.'],
    ]
    for (const [path, base] of cases) assert.equal(goBase(path), base, path)
  })
})

void describe('Secret keys (IsConfigMapKey, shared with the server)', () => {
  const cases: [string, string[]][] = [
    ['.dockerconfigjson', []],
    ['KEY_name-1.x', []],
    ['.', [`must not be '.'`]],
    ['..', [`must not be '..'`]],
    ['..x', [`must not start with '..'`]],
    ['k'.repeat(254), ['must be no more than 253 characters']],
    [
      'a b',
      [
        `a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
      ],
    ],
  ]
  for (const [key, errs] of cases)
    it(JSON.stringify(key.slice(0, 20)), () => assert.deepEqual(checkConfigMapKey(key), errs))

  it('SecretData refuses an invalid or repeated key with kubectl messages', () => {
    const data = new SecretData()
    data.add('b', Buffer.from('2'))
    data.add('a', Buffer.from('1'))
    assert.throws(() => data.add('a', Buffer.from('x')), {
      message: 'cannot add key a, another key by that name already exists',
    })
    assert.throws(() => data.add('a b', Buffer.from('x')), {
      message: /^"a b" is not valid key name for a Secret a valid config key must consist/,
    })
    assert.deepEqual(Object.entries(data.base64()), [
      ['a', 'MQ=='],
      ['b', 'Mg=='],
    ])
  })
})

void describe('parseEnvFile', () => {
  it('reads KEY=VALUE lines as kubectl does', () => {
    const text = '\ufeff# comment\n\n   A=1 \r\nD\nE=\nF="q"\n\tG=x=y\nUNSET'
    assert.deepEqual(parseEnvFile(Buffer.from(text), 'f.env', { D: 'from-env' }), [
      ['A', '1 '],
      ['D', 'from-env'],
      ['E', ''],
      ['F', '"q"'],
      ['G', 'x=y'],
      ['UNSET', ''],
    ])
  })
  it('refuses an invalid key and invalid UTF-8 with kubectl messages', () => {
    assert.throws(() => parseEnvFile(Buffer.from('export C=3\n'), 'f.env', {}), {
      message:
        /^"export C" is not a valid key name: a valid environment variable name must consist/,
    })
    assert.throws(() => parseEnvFile(Buffer.from([0x41, 0x3d, 0xff]), 'u.env', {}), {
      message: 'env file u.env contains invalid utf8 bytes at line 1: [65 61 255]',
    })
  })
})

void describe('dockerConfigJson and secretHash', () => {
  it('writes Go json.Marshal bytes: field order, email omitted when empty, HTML-safe escapes', () => {
    assert.equal(
      dockerConfigJson('reg.example.com:5000', 'alice', 'p@ss"<>&', ''),
      '{"auths":{"reg.example.com:5000":{"username":"alice","password":"p@ss\\"\\u003c\\u003e\\u0026","auth":"YWxpY2U6cEBzcyI8PiY="}}}',
    )
    assert.equal(
      dockerConfigJson('https://index.docker.io/v1/', 'alice', 'p', 'a@b.c'),
      '{"auths":{"https://index.docker.io/v1/":{"username":"alice","password":"p","email":"a@b.c","auth":"YWxpY2U6cA=="}}}',
    )
  })
  it('escapes strings as Go does', () => {
    assert.equal(goJsonString('\b\f\n\u2028<'), '"\\b\\f\\n\\u2028\\u003c"')
  })
  it('matches kubectl --append-hash suffixes', () => {
    assert.equal(secretHash('hh', '', { a: 'Yg==' }), 'fmkf897bg2')
    assert.equal(secretHash('hh', '', {}), 'f4h57g897g')
    assert.equal(secretHash('hh', '', { a: 'Yg==', '10': 'eA==', '9': 'eQ==' }), '6mkfdf9m8k')
  })
})

void describe('create secret against kubectl 1.32 (client dry run, byte for byte)', () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'create-secret-'))
    mkdirSync(join(dir, 'd'))
    writeFileSync(join(dir, 'd', 'k2'), 'two\n')
    writeFileSync(join(dir, 'd', 'k1'), 'one\n')
    symlinkSync(join(dir, 'd', 'k1'), join(dir, 'd', 'link'))
    mkdirSync(join(dir, 'd', 'sub'))
    mkdirSync(join(dir, 'bad'))
    writeFileSync(join(dir, 'bad', 'sp ace'), 'x')
    writeFileSync(join(dir, 'cfg.json'), '{"auths":{}}\n')
    writeFileSync(join(dir, 'a.env'), '# c\nA=1\nB=two words\n')
    writeFileSync(join(dir, 'dup.env'), 'A=1\nA=2\n')
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  const cases: ['generic' | 'docker-registry', (dir: string) => string[]][] = [
    [
      'docker-registry',
      () => [
        'x',
        '--docker-server=reg.example.com:5000',
        '--docker-username=alice',
        '--docker-password=p@ss"<>&\b',
        '--output=json',
      ],
    ],
    [
      'docker-registry',
      () => [
        'x',
        '--docker-username=alice',
        '--docker-password=p',
        '--docker-email=a@b.c',
        '--output=yaml',
      ],
    ],
    ['docker-registry', (d) => ['x', `--from-file=${d}/cfg.json`, '--output=json']],
    [
      'docker-registry',
      (d) => [
        'x',
        `--from-file=.dockerconfigjson=${d}/cfg.json,other=${d}/cfg.json`,
        '--output=yaml',
      ],
    ],
    ['docker-registry', (d) => ['x', `--from-file=${d}/d`]],
    ['docker-registry', () => ['x', '--docker-username=alice']],
    [
      'docker-registry',
      () => ['x', '--docker-username=a', '--docker-password=b', '--docker-server='],
    ],
    ['docker-registry', () => []],
    [
      'docker-registry',
      () => ['x', '--docker-username=a', '--docker-password=b', '--append-hash', '--output=name'],
    ],
    ['generic', () => ['x']],
    ['generic', () => ['a', 'b']],
    [
      'generic',
      (d) => [
        'x',
        `--from-file=${d}/d`,
        `--from-file=cfg=${d}/cfg.json`,
        '--type=kubernetes.io/dockerconfigjson',
        '--output=json',
      ],
    ],
    ['generic', (d) => ['x', `--from-file=${d}/d/`, '--output=yaml', '--namespace=team-a']],
    ['generic', (d) => ['x', `--from-file=${d}/bad`]],
    ['generic', (d) => ['x', `--from-file=k=${d}/d`]],
    ['generic', (d) => ['x', `--from-file=${d}/nope`]],
    ['generic', (d) => ['x', `--from-file=${d}/cfg.json`, `--from-file=${d}/cfg.json`]],
    ['generic', () => ['x', '--from-literal=a=b', '--from-literal=a=c']],
    [
      'generic',
      () => [
        'x',
        '--from-literal=a=1,b=2',
        '--from-literal=10=x',
        '--from-literal=9=y',
        '--append-hash',
        '--output=yaml',
      ],
    ],
    ['generic', () => ['x', '--from-literal=a b=c']],
    ['generic', (d) => ['x', `--from-env-file=${d}/a.env`, '--output=json']],
    ['generic', (d) => ['x', `--from-env-file=${d}/a.env,${d}/dup.env`]],
    ['generic', (d) => ['x', `--from-env-file=${d}/a.env`, '--from-literal=c=d']],
    ['generic', (d) => ['x', `--from-env-file=${d}/d`]],
    ['generic', () => ['x', '--dry-run=bogus']],
  ]
  for (const [verb, args] of cases) {
    it(`${verb} ${args('DIR').join(' ')}`, async () => {
      const argv = args(dir)
      const want = await new Promise<{ code: number; stdout: string; stderr: string }>(
        (resolve, reject) =>
          execFile(
            KUBECTL,
            ['create', 'secret', verb, ...argv, '--dry-run=client'],
            { env: { PATH: process.env.PATH, HOME: dir } },
            (err, stdout, stderr) => {
              // A kubectl that did not run (none on PATH) has no exit status to compare.
              if (err && typeof err.code !== 'number')
                reject(new Error(`kubectl did not run: ${err.message}`, { cause: err }))
              else resolve({ code: err ? (err.code as number) : 0, stdout, stderr })
            },
          ),
      )
      const got = await run(verb, [...argv, '--dry-run=client'])
      assert.deepEqual(got, {
        ...want,
        stderr: want.stderr.replace("See 'kubectl ", "See 'isctl "),
      })
    })
  }
})

void describe('create secret against the server', () => {
  function fakeConnect(create: (body: Secret, dryRun: boolean) => Secret): {
    connect: Connect
    sent: { namespace: string | undefined; body: Secret; dryRun: boolean }[]
  } {
    const sent: { namespace: string | undefined; body: Secret; dryRun: boolean }[] = []
    const client = {
      create: (
        _r: unknown,
        namespace: string | undefined,
        body: Secret,
        opts: { dryRun?: boolean },
      ) => {
        sent.push({ namespace, body, dryRun: !!opts.dryRun })
        return Promise.resolve(create(body, !!opts.dryRun))
      },
      close: () => Promise.resolve(),
    } as unknown as ApiClient
    const connect: Connect = (flags, io) =>
      Promise.resolve({
        client,
        namespace: flags.namespace ?? 'ctx-ns',
        namespaceExplicit: !!flags.namespace,
        io,
      } as Session)
    return { connect, sent }
  }
  const stored = (body: Secret): Secret => ({
    ...body,
    metadata: {
      ...body.metadata,
      namespace: 'ctx-ns',
      uid: 'u',
      resourceVersion: '7',
      creationTimestamp: '2026-11-26T12:00:00Z',
    },
    type: body.type ?? 'Opaque',
  })

  it('sends the object to the context namespace and prints oc confirmation', async () => {
    const { connect, sent } = fakeConnect(stored)
    const res = await run(
      'docker-registry',
      ['pull', '--docker-server=reg:5000', '--docker-username=a', '--docker-password=b'],
      {},
      connect,
    )
    assert.deepEqual(res, { code: 0, stdout: 'secret/pull created\n', stderr: '' })
    assert.equal(sent[0]!.namespace, 'ctx-ns')
    assert.equal(sent[0]!.dryRun, false)
    assert.deepEqual(sent[0]!.body.metadata, { name: 'pull' })
    assert.equal(sent[0]!.body.type, 'kubernetes.io/dockerconfigjson')
    assert.equal(
      Buffer.from(sent[0]!.body.data!['.dockerconfigjson']!, 'base64').toString(),
      '{"auths":{"reg:5000":{"username":"a","password":"b","auth":"YTpi"}}}',
    )
  })
  it('asks for a server dry run and says so', async () => {
    const { connect, sent } = fakeConnect(stored)
    const res = await run(
      'generic',
      ['s', '--from-literal=a=b', '--dry-run=server', '--namespace=team'],
      {},
      connect,
    )
    assert.deepEqual(res, { code: 0, stdout: 'secret/s created (server dry run)\n', stderr: '' })
    assert.equal(sent[0]!.dryRun, true)
    assert.deepEqual(sent[0]!.body.metadata, { name: 's', namespace: 'team' })
  })
  it('prints the server errors as kubectl wraps them', async () => {
    const { connect } = fakeConnect(() => {
      throw new ApiError(409, 'AlreadyExists', 'secrets "s" already exists')
    })
    assert.deepEqual(await run('generic', ['s', '--from-literal=a=b'], {}, connect), {
      code: 1,
      stdout: '',
      stderr: 'error: failed to create secret secrets "s" already exists\n',
    })
  })
  it('never connects for a client dry run or a bad flag', async () => {
    const connect: Connect = () => Promise.reject(new Error('connected'))
    assert.equal((await run('generic', ['s', '--dry-run=client'], {}, connect)).code, 0)
    assert.match(
      (await run('generic', ['s', '--from-literal=x'], {}, connect)).stderr,
      /invalid literal source/,
    )
  })
})
