/**
 * Drives the real kubectl against a recording HTTPS server and decodes what it POSTs, so a
 * kubectl upgrade that changes the protobuf bodies fails here and not in front of a user. The
 * server speaks only enough of the API (version, legacy discovery, four create endpoints) for
 * `kubectl create secret|serviceaccount|namespace|token`. KUBECTL picks the binary (default:
 * `kubectl` on PATH); without kubectl or openssl the suite fails rather than being skipped.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer } from 'node:https'
import type { Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { decodeKubernetesProtobuf, KUBERNETES_PROTOBUF_MEDIA_TYPE } from './index.js'

const run = promisify(execFile)
const KUBECTL = process.env['KUBECTL'] ?? 'kubectl'

/** One POST the server received, and what it made of the body. */
interface Recorded {
  readonly path: string
  readonly query: URLSearchParams
  readonly contentType: string
  readonly userAgent: string
  readonly decoded: Record<string, unknown> | undefined
  readonly error: string | undefined
}

const resource = (name: string, singularName: string, namespaced: boolean, kind: string) => ({
  name,
  singularName,
  namespaced,
  kind,
  verbs: ['create', 'get', 'list', 'delete'],
})

const DISCOVERY: Readonly<Record<string, unknown>> = {
  '/version': { major: '1', minor: '32', gitVersion: 'v1.32.0' },
  '/api': {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
  },
  '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [] },
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      resource('namespaces', 'namespace', false, 'Namespace'),
      resource('secrets', 'secret', true, 'Secret'),
      resource('serviceaccounts', 'serviceaccount', true, 'ServiceAccount'),
    ],
  },
}

const CREATE_PATH =
  /^\/api\/v1\/namespaces(?:\/[^/]+\/(?:secrets|serviceaccounts(?:\/[^/]+\/token)?))?$/

/** The token the recording server answers a TokenRequest with, which kubectl prints. */
const RECORDED_TOKEN = 'recorded-token'

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  }
}

/** decodeBody decodes protobuf, and JSON too so that a kubectl falling back to JSON is visible. */
function decodeBody(contentType: string, body: Buffer): Record<string, unknown> {
  if (contentType === KUBERNETES_PROTOBUF_MEDIA_TYPE) return decodeKubernetesProtobuf(body)
  if (contentType === 'application/json')
    return JSON.parse(body.toString('utf8')) as Record<string, unknown>
  throw new Error(`unexpected Content-Type ${contentType}`)
}

function handler(recorded: Recorded[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const send = (code: number, body: unknown): void => {
        res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body))
      }
      const url = new URL(req.url ?? '/', 'https://127.0.0.1')
      const discovery = DISCOVERY[url.pathname]
      if (req.method === 'GET' && discovery !== undefined) return send(200, discovery)
      if (req.method !== 'POST' || !CREATE_PATH.test(url.pathname)) {
        return send(
          404,
          status(404, 'NotFound', 'the server could not find the requested resource'),
        )
      }
      const contentType = req.headers['content-type'] ?? ''
      let decoded: Record<string, unknown> | undefined
      let error: string | undefined
      try {
        decoded = decodeBody(contentType, Buffer.concat(chunks))
      } catch (err) {
        error = String(err)
      }
      recorded.push({
        path: url.pathname,
        query: url.searchParams,
        contentType,
        userAgent: req.headers['user-agent'] ?? '',
        decoded,
        error,
      })
      if (decoded === undefined) send(415, status(415, 'UnsupportedMediaType', error ?? ''))
      else if (url.pathname.endsWith('/token'))
        send(201, { ...decoded, status: { token: RECORDED_TOKEN } })
      else send(201, decoded)
    })
  }
}

const meta = (name: string, namespace?: string) => ({
  name,
  ...(namespace === undefined ? {} : { namespace }),
  creationTimestamp: null,
})

// The bodies kubectl 1.31 sends as JSON for the same commands (testdata/kubectl-bodies.json).
const commands: readonly {
  readonly args: readonly string[]
  readonly path: string
  readonly printed: string
  readonly want: Record<string, unknown>
  /** The fieldManager query parameter; `create token` sends none. */
  readonly fieldManager?: string | null
}[] = [
  {
    args: [
      'create',
      'secret',
      'generic',
      's1',
      '--from-literal=a=b',
      '--from-literal=c=d',
      '-n',
      'ns1',
    ],
    path: '/api/v1/namespaces/ns1/secrets',
    printed: 'secret/s1 created',
    want: {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: meta('s1', 'ns1'),
      data: { a: 'Yg==', c: 'ZA==' },
    },
  },
  {
    args: [
      'create',
      'secret',
      'docker-registry',
      'pull',
      '--docker-server=127.0.0.1:5000',
      '--docker-username=u',
      '--docker-password=p',
      '-n',
      'ns1',
    ],
    path: '/api/v1/namespaces/ns1/secrets',
    printed: 'secret/pull created',
    want: {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: meta('pull', 'ns1'),
      data: {
        '.dockerconfigjson': Buffer.from(
          '{"auths":{"127.0.0.1:5000":{"username":"u","password":"p","auth":"dTpw"}}}',
        ).toString('base64'),
      },
      type: 'kubernetes.io/dockerconfigjson',
    },
  },
  {
    args: ['create', 'serviceaccount', 'builder', '-n', 'ns1'],
    path: '/api/v1/namespaces/ns1/serviceaccounts',
    printed: 'serviceaccount/builder created',
    want: { kind: 'ServiceAccount', apiVersion: 'v1', metadata: meta('builder', 'ns1') },
  },
  {
    args: ['create', 'namespace', 'team-a'],
    path: '/api/v1/namespaces',
    printed: 'namespace/team-a created',
    want: { kind: 'Namespace', apiVersion: 'v1', metadata: meta('team-a'), spec: {}, status: {} },
  },
  {
    args: ['create', 'token', 'builder', '-n', 'ns1', '--duration', '10m', '--audience', 'vault'],
    path: '/api/v1/namespaces/ns1/serviceaccounts/builder/token',
    printed: RECORDED_TOKEN,
    want: {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { audiences: ['vault'], expirationSeconds: 600 },
    },
    fieldManager: null,
  },
]

void describe(`real kubectl (${KUBECTL}) create bodies`, () => {
  const recorded: Recorded[] = []
  let dir = ''
  let server: Server | undefined

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'protobuf-kubectl-'))
    const key = join(dir, 'key.pem')
    const cert = join(dir, 'cert.pem')
    // A throwaway certificate: kubectl sends the token only over TLS.
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
    ])
    const tls = { key: await readFile(key), cert: await readFile(cert) }
    const listening = createServer(tls, handler(recorded))
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve))
    server = listening
    const { port } = listening.address() as AddressInfo
    await writeFile(
      join(dir, 'kubeconfig'),
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'test',
            cluster: { server: `https://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true },
          },
        ],
        users: [{ name: 'test', user: { token: 'throwaway-token' } }],
        contexts: [{ name: 'test', context: { cluster: 'test', user: 'test' } }],
        'current-context': 'test',
      }),
    )
  })

  after(async () => {
    server?.closeAllConnections()
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  for (const c of commands) {
    void it(`kubectl ${c.args.join(' ')}`, async (t) => {
      recorded.length = 0
      // HOME and --cache-dir keep kubectl's discovery cache and gcloud state out of the user's.
      const { stdout } = await run(KUBECTL, ['--cache-dir', join(dir, 'cache'), ...c.args], {
        env: { ...process.env, KUBECONFIG: join(dir, 'kubeconfig'), HOME: dir },
        timeout: 60_000,
      })
      assert.equal(stdout.trim(), c.printed)
      assert.equal(recorded.length, 1, 'one POST per command')
      const post = recorded[0]!
      t.diagnostic(`${post.userAgent} sent ${post.contentType}`)
      assert.equal(post.path, c.path)
      assert.equal(
        post.query.get('fieldManager'),
        c.fieldManager === undefined ? 'kubectl-create' : c.fieldManager,
      )
      assert.equal(
        post.contentType,
        KUBERNETES_PROTOBUF_MEDIA_TYPE,
        `${post.userAgent} sent ${post.contentType}, not protobuf (kubectl before 1.32 sends JSON)`,
      )
      assert.equal(post.error, undefined)
      assert.deepEqual(post.decoded, c.want)
    })
  }
})
