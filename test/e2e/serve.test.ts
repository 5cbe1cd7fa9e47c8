/**
 * `isctl serve` end to end: the built binary on 127.0.0.1 (port 0), driven by real kubectl with
 * the admin.kubeconfig it writes, as a user would. Covers first start (PKI, token, kubeconfig),
 * /version and discovery as kubectl reads them, 401s for wrong or missing credentials, clean
 * exit on SIGTERM/SIGINT, and reuse of the CA and token on restart.
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { parse, stringify } from 'yaml'
import {
  adminCredentials,
  CommandError,
  ISCTL_BIN as BIN,
  httpRequest,
  kubectl,
  makeAgent,
  makeTempDir,
  pollUntil,
  removeTempDir,
  runCommand,
  startServe,
  stopServe,
  type ServeProcess,
} from '../harness/index.js'

interface Kubeconfig {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[]
  users: { name: string; user: Record<string, string> }[]
}

function readKubeconfig(path: string): Kubeconfig {
  return parse(readFileSync(path, 'utf8')) as Kubeconfig
}

/** writeVariant writes a copy of the kubeconfig with the user's credentials replaced. */
function writeVariant(
  dir: string,
  from: string,
  name: string,
  user: Record<string, string>,
): string {
  const doc = readKubeconfig(from)
  doc.users[0]!.user = user
  const path = join(dir, `${name}.kubeconfig`)
  writeFileSync(path, stringify(doc), { mode: 0o600 })
  return path
}

describe('isctl serve with real kubectl', () => {
  let dir: string
  let dataDir: string
  let server: ServeProcess
  let cache = 0
  /** A fresh discovery cache per command, so each one really asks the server. */
  const cacheDir = () => join(dir, `cache-${++cache}`)

  before(async () => {
    dir = makeTempDir('serve-e2e')
    dataDir = join(dir, 'data')
    server = await startServe(dataDir)
  })
  after(async () => {
    await stopServe(server, 'SIGKILL')
    await removeTempDir(dir)
  })

  it('writes admin.kubeconfig with the bound address, and keeps its files 0600', () => {
    assert.equal(server.kubeconfig, join(dataDir, 'admin.kubeconfig'))
    assert.match(server.address, /^https:\/\/127\.0\.0\.1:\d+$/)
    const doc = readKubeconfig(server.kubeconfig)
    assert.equal(doc.clusters[0]!.cluster.server, server.address)
    const files = [
      'admin.kubeconfig',
      'admin-token.sha256',
      'ca.key',
      'serving.key',
      'imagestreams.db',
    ]
    for (const file of files) {
      assert.equal(statSync(join(dataDir, file)).mode & 0o777, 0o600, file)
    }
    const token = doc.users[0]!.user.token!
    assert.ok(!readFileSync(join(dataDir, 'admin-token.sha256'), 'utf8').includes(token))
    assert.ok(!server.lines().some((l) => JSON.stringify(l).includes(token)), 'token in the log')
  })

  it('kubectl version reports the server as v1.32.0', async () => {
    const res = await kubectl(['version'], { kubeconfig: server.kubeconfig, cacheDir: cacheDir() })
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, /^Server Version: v1\.32\.0$/m)
  })

  it('the dispatcher kubectl (which reads /version first) works with the kubeconfig as is', async () => {
    const res = await kubectl(['version'], {
      kubeconfig: server.kubeconfig,
      cacheDir: cacheDir(),
      bin: 'kubectl',
    })
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, /^Server Version: v1\.32\.0$/m)
  })

  it('kubectl api-resources lists the resources with their short names', async () => {
    const res = await kubectl(['api-resources', '--no-headers=false'], {
      kubeconfig: server.kubeconfig,
      cacheDir: cacheDir(),
    })
    assert.equal(res.code, 0, res.stderr)
    const rows = new Map(
      res.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(/\s+/))
        .map((cols) => [cols[0], cols] as const),
    )
    const want: [string, string, string][] = [
      ['imagestreams', 'is', 'image.openshift.io/v1'],
      ['imagestreamtags', 'istag', 'image.openshift.io/v1'],
      ['imagestreamimages', 'isimage', 'image.openshift.io/v1'],
      ['namespaces', 'ns', 'v1'],
      ['serviceaccounts', 'sa', 'v1'],
    ]
    for (const [plural, short, apiVersion] of want) {
      assert.deepEqual(rows.get(plural)?.slice(0, 3), [plural, short, apiVersion], res.stdout)
    }
    for (const plural of ['images', 'imagestreamimports', 'secrets']) {
      assert.ok(rows.has(plural), `${plural} missing:\n${res.stdout}`)
    }
  })

  it('legacy discovery of the image group carries the short names', async () => {
    const res = await kubectl(['get', '--raw', '/apis/image.openshift.io/v1'], {
      kubeconfig: server.kubeconfig,
      cacheDir: cacheDir(),
    })
    assert.equal(res.code, 0, res.stderr)
    const list = JSON.parse(res.stdout) as { resources: { name: string; shortNames?: string[] }[] }
    const is = list.resources.find((r) => r.name === 'imagestreams')
    assert.deepEqual(is?.shortNames, ['is'])
  })

  it('a wrong token is refused: kubectl says to log in', async () => {
    const kubeconfig = writeVariant(dir, server.kubeconfig, 'wrong', { token: 'not-the-token' })
    const res = await kubectl(['get', 'is'], { kubeconfig, cacheDir: cacheDir() })
    assert.notEqual(res.code, 0)
    assert.match(
      res.stderr,
      /error: You must be logged in to the server \(the server has asked for the client to provide credentials\)/,
    )
  })

  it('a wrong token with a warm discovery cache gets Unauthorized on the resource request', async () => {
    const warm = cacheDir()
    const ok = await kubectl(['api-resources'], { kubeconfig: server.kubeconfig, cacheDir: warm })
    assert.equal(ok.code, 0, ok.stderr)
    const kubeconfig = writeVariant(dir, server.kubeconfig, 'wrong-warm', { token: 'nope' })
    const res = await kubectl(['get', 'is'], { kubeconfig, cacheDir: warm })
    assert.notEqual(res.code, 0)
    assert.match(res.stderr, /error: You must be logged in to the server \(Unauthorized\)/)
  })

  it('no bearer token is refused (kubectl with Basic credentials instead)', async () => {
    // A user entry with no credentials at all makes kubectl prompt for a password before any
    // request; Basic credentials are the way to send a request without a bearer token.
    const kubeconfig = writeVariant(dir, server.kubeconfig, 'basic', {
      username: 'admin',
      password: readKubeconfig(server.kubeconfig).users[0]!.user.token!,
    })
    const res = await kubectl(['get', 'is'], { kubeconfig, cacheDir: cacheDir() })
    assert.notEqual(res.code, 0)
    assert.match(res.stderr, /You must be logged in to the server/)
  })

  it('a request without Authorization gets the apiserver 401 Status body', async () => {
    const doc = readKubeconfig(server.kubeconfig)
    const ca = Buffer.from(doc.clusters[0]!.cluster['certificate-authority-data'], 'base64')
    const agent = makeAgent(ca.toString('utf8'))
    try {
      for (const path of ['/version', '/api', '/apis/image.openshift.io/v1', '/nope']) {
        const res = await httpRequest(`${server.address}${path}`, { dispatcher: agent })
        assert.equal(res.status, 401, path)
        assert.deepEqual(JSON.parse(res.body.toString('utf8')), {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: 'Unauthorized',
          reason: 'Unauthorized',
          code: 401,
        })
      }
      // The serving certificate also covers localhost, which the kubeconfig does not use.
      const port = new URL(server.address).port
      const viaName = await httpRequest(`https://localhost:${port}/healthz`, {
        dispatcher: agent,
        headers: { authorization: `Bearer ${doc.users[0]!.user.token!}` },
      })
      assert.equal(viaName.status, 200)
      assert.equal(viaName.body.toString('utf8'), 'ok')
    } finally {
      await agent.close()
    }
  })
})

describe('isctl serve lifecycle', () => {
  let dir: string
  before(() => {
    dir = makeTempDir('serve-life')
  })
  after(() => removeTempDir(dir))

  it('with keepLog false, the harness drops the log past `serving` and the server still answers', async () => {
    const dataDir = join(dir, 'drained')
    const requested = (s: ServeProcess) => s.lines().some((l) => l.msg === 'request')
    const ask = async (s: ServeProcess, times: number) => {
      const { token, caPem } = adminCredentials(s.kubeconfig)
      const agent = makeAgent(caPem)
      try {
        for (let i = 0; i < times; i++) {
          const res = await httpRequest(`${s.address}/version`, {
            headers: { authorization: `Bearer ${token}` },
            dispatcher: agent,
          })
          assert.equal(res.status, 200)
        }
      } finally {
        await agent.close()
      }
    }
    const kept = await startServe(dataDir)
    await ask(kept, 1)
    await pollUntil('the access line', () => Promise.resolve(requested(kept)))
    await stopServe(kept)

    const drained = await startServe(dataDir, [], { keepLog: false })
    try {
      // More access lines than a pipe holds (64 KiB): had nobody read them, the log would stall.
      await ask(drained, 600)
      assert.ok(drained.lines().some((l) => l.msg === 'serving'))
      assert.equal(requested(drained), false)
    } finally {
      await stopServe(drained)
    }
  })

  it('exits 0 on SIGTERM and on SIGINT, and reuses the CA and token on restart', async () => {
    const dataDir = join(dir, 'data')
    const first = await startServe(dataDir)
    const firstDoc = readKubeconfig(first.kubeconfig)
    assert.deepEqual(await stopServe(first, 'SIGTERM'), { code: 0, signal: null })
    assert.ok(first.lines().some((l) => l.msg === 'stopped'))

    const second = await startServe(dataDir)
    const ready = second.lines().find((l) => l.msg === 'serving certificate ready')
    assert.equal(ready?.ca, 'reused')
    assert.equal(ready?.serving, 'reused')
    const secondDoc = readKubeconfig(second.kubeconfig)
    assert.equal(secondDoc.users[0]!.user.token, firstDoc.users[0]!.user.token)
    assert.equal(
      secondDoc.clusters[0]!.cluster['certificate-authority-data'],
      firstDoc.clusters[0]!.cluster['certificate-authority-data'],
    )
    const res = await kubectl(['version'], {
      kubeconfig: second.kubeconfig,
      cacheDir: join(dir, 'c'),
    })
    assert.equal(res.code, 0, res.stderr)
    assert.deepEqual(await stopServe(second, 'SIGINT'), { code: 0, signal: null })
  })

  it('exits 1 with a message naming the flag when a flag is wrong', async () => {
    try {
      await runCommand(process.execPath, [
        BIN,
        'serve',
        '--data-dir',
        join(dir, 'x'),
        '--listen',
        'nowhere',
      ])
      assert.fail('serve accepted --listen nowhere')
    } catch (err) {
      assert.ok(err instanceof CommandError)
      assert.equal(err.result.code, 1)
      assert.match(err.result.stderr, /^error: --listen must be HOST:PORT/)
    }
    assert.ok(!existsSync(join(dir, 'x')), 'nothing is created for a bad invocation')
  })

  it('refuses a second server on a data dir in use, naming the first, and starts once it is killed', async () => {
    const dataDir = join(dir, 'shared')
    const first = await startServe(dataDir)
    const kubeconfig = readFileSync(first.kubeconfig, 'utf8')
    const pid = first.child.pid!
    try {
      await assert.rejects(
        runCommand(process.execPath, [
          BIN,
          'serve',
          '--data-dir',
          dataDir,
          '--listen',
          '127.0.0.1:0',
        ]),
        (err: unknown) => {
          assert.ok(err instanceof CommandError)
          assert.equal(err.result.code, 1)
          assert.equal(
            err.result.stderr,
            `error: data directory ${dataDir} is in use by another isctl serve ` +
              `(pid ${pid}, listening on ${first.address}); stop it first or choose another --data-dir\n`,
          )
          return true
        },
      )
      assert.equal(readFileSync(first.kubeconfig, 'utf8'), kubeconfig)
      const res = await kubectl(['version'], {
        kubeconfig: first.kubeconfig,
        cacheDir: join(dir, 'shared-cache'),
      })
      assert.equal(res.code, 0, res.stderr)
    } finally {
      await stopServe(first, 'SIGKILL')
    }
    // kill -9 left the lock behind; its pid is gone, so the next start takes it over.
    assert.ok(existsSync(join(dataDir, 'serve.lock')))
    const next = await startServe(dataDir)
    assert.deepEqual(await stopServe(next, 'SIGTERM'), { code: 0, signal: null })
    assert.ok(!existsSync(join(dataDir, 'serve.lock')), 'a clean shutdown releases the lock')
  })

  it('keeps the database where --store sqlite:PATH says, names --advertise-address, and /readyz checks the store', async () => {
    const dataDir = join(dir, 'stored-elsewhere')
    const database = join(dir, 'databases', 'one.db')
    const server = await startServe(dataDir, [
      '--store',
      `sqlite:${database}`,
      '--advertise-address',
      'api.example.test',
    ])
    try {
      assert.ok(existsSync(database))
      assert.ok(!existsSync(join(dataDir, 'imagestreams.db')))
      assert.equal(server.lines().find((l) => l.msg === 'serving')?.store, database)
      const ready = server.lines().find((l) => l.msg === 'serving certificate ready')
      assert.ok((ready?.hosts as string[]).includes('api.example.test'))
      const { token, caPem } = adminCredentials(server.kubeconfig)
      const agent = makeAgent(caPem)
      try {
        const res = await httpRequest(`${server.address}/readyz?verbose`, {
          headers: { authorization: `Bearer ${token}` },
          dispatcher: agent,
        })
        assert.equal(res.status, 200)
        assert.match(res.body.toString('utf8'), /^\[\+\]store ok$/m)
      } finally {
        await agent.close()
      }
      // A second server with a data dir of its own may not open the same file.
      await assert.rejects(
        runCommand(process.execPath, [
          BIN,
          'serve',
          '--data-dir',
          join(dir, 'stored-elsewhere-too'),
          '--listen',
          '127.0.0.1:0',
          '--store',
          `sqlite:${database}`,
        ]),
        (err: unknown) => {
          assert.ok(err instanceof CommandError)
          assert.equal(err.result.code, 1)
          assert.match(
            err.result.stderr,
            /^error: database \S+one\.db is in use by another isctl serve \(pid \d+, listening on https:/,
          )
          return true
        },
      )
    } finally {
      await stopServe(server)
    }
  })

  it('exits 1 naming the problem when --store is not a store it knows, creating nothing', async () => {
    await assert.rejects(
      runCommand(process.execPath, [
        BIN,
        'serve',
        '--data-dir',
        join(dir, 'never'),
        '--store',
        'etcd://127.0.0.1:2379',
      ]),
      (err: unknown) => {
        assert.ok(err instanceof CommandError)
        assert.equal(err.result.code, 1)
        assert.match(err.result.stderr, /^error: --store: unsupported store scheme "etcd:"/)
        return true
      },
    )
    assert.ok(!existsSync(join(dir, 'never')))
  })

  it('exits 1 when the address is taken', async () => {
    const dataDir = join(dir, 'busy')
    const running = await startServe(dataDir)
    try {
      const port = new URL(running.address).port
      await assert.rejects(
        runCommand(process.execPath, [
          BIN,
          'serve',
          '--data-dir',
          join(dir, 'busy-too'),
          '--listen',
          `127.0.0.1:${port}`,
        ]),
        (err: unknown) => {
          assert.ok(err instanceof CommandError)
          assert.equal(err.result.code, 1)
          assert.match(
            err.result.stderr,
            /^error: cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/m,
          )
          return true
        },
      )
    } finally {
      await stopServe(running)
    }
  })
})
