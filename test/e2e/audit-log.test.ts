/**
 * `isctl serve --audit-log` (docs/kubernetes-api.md#audit-log) driven by real kubectl and skopeo:
 * every request leaves one audit.k8s.io/v1 Event with its verb, object, code and user (a watch
 * two, as it starts and ends), a failed authentication included, and neither a secret's data
 * nor a token appears anywhere in the file; a tiny --audit-log-maxsize rotates it into backups
 * without ever splitting a line; `-` writes to standard output; a full disk costs audit lines,
 * logged once, and never a request.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import {
  adminCredentials,
  insecureImport,
  kubectl,
  pollUntil,
  serverCertDir,
  skopeoInspect,
  succeeded,
  useRegistry,
  useServe,
} from '../harness/index.js'

/** Event is the part of an audit Event the tests read. */
interface Event {
  kind: string
  apiVersion: string
  level: string
  auditID: string
  stage: string
  requestURI: string
  verb: string
  user: { username?: string; groups?: string[] }
  sourceIPs: string[]
  userAgent?: string
  objectRef?: Record<string, string>
  responseStatus: { code: number; message?: string; reason?: string }
  annotations?: Record<string, string>
}

/** auditLines reads every line of the audit files in `dir` (backups and the current file). */
function auditLines(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('audit'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter((l) => l !== '')
}

describe('isctl serve --audit-log with kubectl and skopeo', () => {
  const env = useRegistry({ auth: 'none' })
  const suite = useServe((dir) => ['--audit-log', join(dir, 'audit', 'audit.log')])
  const SECRET_VALUE = 'audit-probe-s3cr3t-value'
  const WRONG_TOKEN = 'wrong-token-that-must-not-be-logged'
  const auditDir = () => join(suite.home, '..', 'audit')
  const events = () => auditLines(auditDir()).map((l) => JSON.parse(l) as Event)
  /** eventually waits for an Event (lines are written just after the answer) and returns it. */
  const eventually = async (what: string, match: (e: Event) => boolean): Promise<Event> => {
    await pollUntil(what, () => Promise.resolve(events().some(match)))
    return events().find(match)!
  }
  const k = (args: readonly string[], input?: string) => succeeded(suite.kubectl(args, input))

  before(async () => {
    await k(['create', 'namespace', 'audited'])
    await k([
      'create',
      'secret',
      'generic',
      'probe',
      `--from-literal=password=${SECRET_VALUE}`,
      '-n',
      'audited',
    ])
    await k(['get', 'secret', 'probe', '-n', 'audited', '-o', 'name'])
    await k(['get', 'secrets', '-n', 'audited'])
    await k(['delete', 'secret', 'probe', '-n', 'audited'])
    const denied = await kubectl(['--token', WRONG_TOKEN, 'get', 'secrets', '-n', 'audited'], {
      kubeconfig: suite.kubeconfig,
      cacheDir: join(suite.home, 'wrong-token-cache'),
    })
    assert.notEqual(denied.code, 0)
    await k(['get', '--raw', '/api/v1/namespaces/audited/secrets?watch=true&timeoutSeconds=1'])
  })

  it('writes one Event per request: create, get, list, delete of a secret, with user, object, code and decision', async () => {
    const ref = (e: Event) => e.objectRef ?? {}
    const create = await eventually(
      'the create',
      (e) => e.verb === 'create' && ref(e).resource === 'secrets',
    )
    assert.deepEqual(
      { ...create, auditID: '', sourceIPs: [], userAgent: '' },
      {
        kind: 'Event',
        apiVersion: 'audit.k8s.io/v1',
        level: 'Metadata',
        auditID: '',
        stage: 'ResponseComplete',
        requestURI: create.requestURI,
        verb: 'create',
        user: { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
        sourceIPs: [],
        userAgent: '',
        objectRef: {
          resource: 'secrets',
          namespace: 'audited',
          name: 'probe',
          apiGroup: '',
          apiVersion: 'v1',
        },
        responseStatus: { metadata: {}, code: 201 },
        requestReceivedTimestamp: (create as unknown as Record<string, string>)
          .requestReceivedTimestamp,
        stageTimestamp: (create as unknown as Record<string, string>).stageTimestamp,
        annotations: {
          'authorization.k8s.io/decision': 'allow',
          'authorization.k8s.io/reason': '',
        },
      },
    )
    assert.match(create.requestURI, /^\/api\/v1\/namespaces\/audited\/secrets(\?|$)/)
    assert.deepEqual(create.sourceIPs, ['127.0.0.1'])
    assert.match(create.userAgent ?? '', /^kubectl/)
    const get = await eventually(
      'the get',
      (e) => e.verb === 'get' && ref(e).resource === 'secrets' && ref(e).name === 'probe',
    )
    assert.equal(get.responseStatus.code, 200)
    const list = await eventually(
      'the list',
      (e) => e.verb === 'list' && ref(e).resource === 'secrets' && e.user.username === 'admin',
    )
    assert.equal(list.responseStatus.code, 200)
    assert.equal(ref(list).namespace, 'audited')
    const del = await eventually(
      'the delete',
      (e) => e.verb === 'delete' && ref(e).name === 'probe',
    )
    assert.equal(del.responseStatus.code, 200)
    const ns = await eventually('the namespace create', (e) => ref(e).resource === 'namespaces')
    assert.equal(ns.verb, 'create')
    assert.equal(ref(ns).name, 'audited')
  })

  it('writes a failed authentication as the apiserver does: no user, 401, what was tried', async () => {
    const failed = await eventually('the 401', (e) => e.responseStatus.code === 401)
    assert.equal(failed.stage, 'ResponseStarted')
    assert.deepEqual(failed.user, {})
    assert.equal(failed.responseStatus.message, 'Authentication failed, attempted: bearer')
    assert.equal(failed.annotations, undefined)
  })

  it('writes a watch as it starts and as it ends, under one audit ID', async () => {
    const complete = await eventually(
      'the watch to end',
      (e) => e.verb === 'watch' && e.stage === 'ResponseComplete',
    )
    const started = events().filter((e) => e.auditID === complete.auditID)
    assert.deepEqual(
      started.map((e) => e.stage),
      ['ResponseStarted', 'ResponseComplete'],
    )
    assert.deepEqual(complete.objectRef, {
      resource: 'secrets',
      namespace: 'audited',
      apiGroup: '',
      apiVersion: 'v1',
    })
  })

  it('writes a pull through /v2/ as a get of the stream’s layers', async () => {
    await k(
      ['create', '-f', '-'],
      insecureImport('audited', 'tool', '1.0', env.fx.ociSingle.reference),
    )
    const certDir = serverCertDir(suite.kubeconfig, join(suite.home, 'certs'))
    const admin = adminCredentials(suite.kubeconfig)
    const host = new URL(admin.server).host
    await pollUntil('skopeo to pull the imported tag', async () => {
      const res = await skopeoInspect(`${host}/audited/tool:1.0`, {
        certDir,
        creds: `any:${admin.token}`,
      })
      return res.code === 0
    })
    const pull = await eventually(
      'the manifest pull',
      (e) => e.requestURI === '/v2/audited/tool/manifests/1.0' && e.responseStatus.code === 200,
    )
    assert.equal(pull.verb, 'get')
    assert.deepEqual(pull.objectRef, {
      resource: 'imagestreams',
      namespace: 'audited',
      name: 'tool',
      apiGroup: 'image.openshift.io',
      apiVersion: 'v1',
      subresource: 'layers',
    })
    assert.equal(pull.user.username, 'admin')
    assert.equal(pull.annotations?.['authorization.k8s.io/decision'], 'allow')
  })

  it('holds one Event per audit ID (two for watches), and neither secret data nor a token', () => {
    const text = auditLines(auditDir()).join('\n')
    const admin = adminCredentials(suite.kubeconfig)
    for (const forbidden of [
      SECRET_VALUE,
      Buffer.from(SECRET_VALUE).toString('base64'),
      WRONG_TOKEN,
      admin.token,
    ]) {
      assert.ok(!text.includes(forbidden), `the audit log holds ${forbidden}`)
    }
    const byID = new Map<string, Event[]>()
    for (const e of events()) byID.set(e.auditID, [...(byID.get(e.auditID) ?? []), e])
    for (const [id, group] of byID) {
      const want = group[0]!.verb === 'watch' && group[0]!.responseStatus.code !== 401 ? 2 : 1
      assert.equal(group.length, want, `audit ID ${id}: ${JSON.stringify(group)}`)
    }
  })
})

describe('isctl serve --audit-log-maxsize', () => {
  const suite = useServe((dir) => [
    '--audit-log',
    join(dir, 'audit', 'audit.log'),
    // About 2 KiB: a few Events per file.
    '--audit-log-maxsize',
    '0.002',
    '--audit-log-maxbackup',
    '3',
  ])

  it('rotates into at most maxbackup backups, each line whole', async () => {
    const dir = join(suite.home, '..', 'audit')
    for (let i = 0; i < 12; i++) await succeeded(suite.kubectl(['get', 'namespaces']))
    await pollUntil('a rotation', () =>
      Promise.resolve(existsSync(dir) && readdirSync(dir).length === 4),
    )
    const files = readdirSync(dir).sort()
    assert.deepEqual(
      files.filter((f) => f === 'audit.log'),
      ['audit.log'],
    )
    for (const f of files.filter((f) => f !== 'audit.log')) {
      assert.match(f, /^audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log$/)
    }
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8')
      assert.ok(text.length <= Math.floor(0.002 * 2 ** 20), `${f}: ${text.length} bytes`)
      assert.ok(text.endsWith('\n'), f)
      for (const line of text.split('\n').filter(Boolean)) {
        assert.equal((JSON.parse(line) as Event).kind, 'Event')
      }
    }
  })
})

describe('isctl serve --audit-log -', () => {
  const suite = useServe(() => ['--audit-log', '-'])

  it('writes the Events to standard output, between the server’s log lines', async () => {
    await succeeded(suite.kubectl(['get', 'namespaces']))
    const isList = (l: Record<string, unknown>) =>
      l.kind === 'Event' && l.verb === 'list' && l.requestURI === '/api/v1/namespaces?limit=500'
    await pollUntil('the Event on stdout', () => Promise.resolve(suite.server.lines().some(isList)))
    const event = suite.server.lines().find(isList)!
    assert.equal(event.apiVersion, 'audit.k8s.io/v1')
    assert.deepEqual(event.objectRef, { resource: 'namespaces', apiGroup: '', apiVersion: 'v1' })
  })
})

describe('isctl serve --audit-log on a full disk', () => {
  // /dev/full takes the open and fails every write with ENOSPC, as a full disk does.
  const suite = useServe((dir) => {
    mkdirSync(join(dir, 'audit'))
    symlinkSync('/dev/full', join(dir, 'audit', 'audit.log'))
    return ['--audit-log', join(dir, 'audit', 'audit.log')]
  })

  it('keeps serving, and says once that audit lines are being dropped', async () => {
    for (let i = 0; i < 5; i++) await succeeded(suite.kubectl(['get', 'namespaces']))
    const failures = () =>
      suite.server.lines().filter((l) => String(l.msg).startsWith('cannot write the audit log'))
    await pollUntil('the failure to be logged', () => Promise.resolve(failures().length > 0))
    await succeeded(suite.kubectl(['get', 'namespaces']))
    assert.equal(failures().length, 1)
    assert.equal((failures()[0]!.err as { code?: string }).code, 'ENOSPC')
    assert.equal(suite.server.child.exitCode, null)
  })
})
