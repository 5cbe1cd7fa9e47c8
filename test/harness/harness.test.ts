/**
 * Self-test of the integration harness: starts each registry mode, pushes the fixtures and checks,
 * with plain undici, what a user of the harness relies on.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { after, before, describe, it } from 'node:test'
import { Agent, request } from 'undici'
import {
  decodeJwt,
  DOCKER_LIST,
  DOCKER_MANIFEST,
  FIXTURE_AUTHOR,
  MANIFEST_ACCEPT,
  OCI_INDEX,
  OCI_MANIFEST,
  pushFixtures,
  RegistryClient,
  startFaultProxy,
  startRegistry,
  startTokenServer,
  createTestCA,
  type FaultProxy,
  type Fixtures,
  type RunningRegistry,
} from './index.js'
import { makeTempDir, removeTempDir, runCommand } from './process.js'

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`

async function get(
  url: string,
  opts: { agent?: Agent; headers?: Record<string, string>; method?: 'GET' | 'HEAD' | 'POST' } = {},
): Promise<{
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}> {
  const res = await request(url, {
    method: opts.method ?? 'GET',
    headers: opts.headers,
    dispatcher: opts.agent,
  })
  return {
    status: res.statusCode,
    headers: res.headers,
    body: Buffer.from(await res.body.arrayBuffer()),
  }
}

function json<T>(b: Buffer): T {
  return JSON.parse(b.toString('utf8')) as T
}

interface ManifestBody {
  mediaType: string
  manifests: {
    mediaType: string
    digest: string
    platform?: { os: string; architecture: string; variant?: string }
    annotations?: Record<string, string>
  }[]
}

/** Reads tar entries (name → content) of an uncompressed ustar archive. */
function tarEntries(tar: Buffer): Map<string, string> {
  const out = new Map<string, string>()
  for (let off = 0; off + 512 <= tar.length;) {
    const name = tar
      .subarray(off, off + 100)
      .toString('utf8')
      .replace(/\0.*$/s, '')
    if (name === '') break
    const size = parseInt(
      tar
        .subarray(off + 124, off + 136)
        .toString('utf8')
        .replace(/\0.*$/s, ''),
      8,
    )
    out.set(name, tar.subarray(off + 512, off + 512 + size).toString('utf8'))
    off += 512 + Math.ceil(size / 512) * 512
  }
  return out
}

void describe('plain HTTP registry', () => {
  let reg: RunningRegistry
  let fx: Fixtures
  before(async () => {
    reg = await startRegistry({ auth: 'none' })
    fx = await pushFixtures(reg)
  })
  after(() => reg?.stop())

  void it('answers /v2/ anonymously on 127.0.0.1', async () => {
    assert.match(reg.host, /^127\.0\.0\.1:\d+$/)
    const res = await get(`${reg.url}/v2/`)
    assert.equal(res.status, 200)
    assert.equal(res.headers['docker-distribution-api-version'], 'registry/2.0')
  })

  void it('serves the OCI index with four platforms and the attestation entry', async () => {
    const res = await get(`${reg.url}/v2/multi/oci-app/manifests/v1`, {
      headers: { accept: MANIFEST_ACCEPT },
    })
    assert.equal(res.status, 200)
    assert.equal(sha(res.body), fx.ociIndex.digest)
    assert.equal(res.headers['docker-content-digest'], fx.ociIndex.digest)
    const index = json<ManifestBody>(res.body)
    assert.equal(index.mediaType, OCI_INDEX)
    assert.equal(index.manifests.length, 5)
    assert.deepEqual(
      index.manifests.map((m) => [m.platform?.os, m.platform?.architecture, m.platform?.variant]),
      [
        ['linux', 'amd64', undefined],
        ['linux', 'arm64', 'v8'],
        ['linux', 'arm', 'v7'],
        ['linux', 'ppc64le', undefined],
        ['unknown', 'unknown', undefined],
      ],
    )
    const att = index.manifests[4]!
    assert.equal(att.annotations?.['vnd.docker.reference.type'], 'attestation-manifest')
    assert.equal(att.annotations?.['vnd.docker.reference.digest'], index.manifests[0]!.digest)
    assert.deepEqual(
      fx.ociIndex.children.map((c) => c.attestation),
      [false, false, false, false, true],
    )
  })

  void it('hides the OCI index from clients that do not accept it (distribution 2.8)', async () => {
    const res = await get(`${reg.url}/v2/multi/oci-app/manifests/${fx.ociIndex.digest}`, {
      headers: { accept: DOCKER_LIST },
    })
    assert.equal(res.status, 404)
  })

  void it('serves the Docker manifest list with schema2 children plus an attestation entry', async () => {
    const res = await get(`${reg.url}/v2/multi/docker-app/manifests/v1`, {
      headers: { accept: MANIFEST_ACCEPT },
    })
    assert.equal(res.status, 200)
    assert.equal(sha(res.body), fx.dockerList.digest)
    const list = json<ManifestBody>(res.body)
    assert.equal(list.mediaType, DOCKER_LIST)
    assert.deepEqual(
      list.manifests.map((m) => m.mediaType),
      [DOCKER_MANIFEST, DOCKER_MANIFEST, DOCKER_MANIFEST, DOCKER_MANIFEST, OCI_MANIFEST],
    )
    assert.equal(
      list.manifests[4]!.annotations?.['vnd.docker.reference.digest'],
      list.manifests[0]!.digest,
    )
    // Docker children are converted manifests: their digests differ from the OCI ones.
    assert.notEqual(fx.dockerList.children[0]!.digest, fx.ociIndex.children[0]!.digest)
    assert.equal(fx.dockerList.children[0]!.config.digest, fx.ociIndex.children[0]!.config.digest)
  })

  void it('rewrites the Docker list to the amd64 child for schema2-only clients', async () => {
    const res = await get(`${reg.url}/v2/multi/docker-app/manifests/v1`, {
      method: 'HEAD',
      headers: { accept: DOCKER_MANIFEST },
    })
    assert.equal(res.status, 200)
    assert.equal(res.headers['docker-content-digest'], fx.dockerList.children[0]!.digest)
  })

  void it('stores single-arch OCI and Docker images with full configs', () => {
    assert.equal(fx.ociSingle.mediaType, OCI_MANIFEST)
    assert.equal(fx.dockerSingle.mediaType, DOCKER_MANIFEST)
    for (const img of [fx.ociSingle, fx.dockerSingle]) {
      const cfg = img.imageConfig!
      assert.equal(cfg.author, FIXTURE_AUTHOR)
      assert.deepEqual(img.platform, { os: 'linux', architecture: 'amd64' })
      assert.deepEqual(cfg.config.Entrypoint, ['/opt/tool/entrypoint'])
      assert.equal(cfg.config.Labels['org.opencontainers.image.title'], 'tool')
      assert.equal(cfg.rootfs.diff_ids.length, img.layers.length)
    }
  })

  void it('builds real layers whose diff_ids match and whose content names the platform', async () => {
    const arm = fx.ociIndex.children[2]!
    const layer = arm.layers[1]!
    const res = await get(`${reg.url}/v2/multi/oci-app/blobs/${layer.digest}`)
    assert.equal(res.status, 200)
    assert.equal(sha(res.body), layer.digest)
    const tar = gunzipSync(res.body)
    assert.equal(sha(tar), arm.imageConfig!.rootfs.diff_ids[1])
    assert.equal(tarEntries(tar).get('opt/app/platform'), 'linux/arm/v7\n')
  })

  void it('has 150 tags in many/tags, unpaginated upstream', async () => {
    const res = await get(`${reg.url}/v2/many/tags/tags/list?n=10`)
    assert.equal(res.status, 200)
    assert.equal(res.headers.link, undefined)
    const body = json<{ tags: string[] }>(res.body)
    assert.deepEqual([...body.tags].sort(), fx.manyTags.tags)
    assert.equal(fx.manyTags.tags.length, 150)
  })

  void it('can sit behind a fault proxy serving HTTPS with its own CA, or plain HTTP', async () => {
    for (const tls of [true, false]) {
      const proxy = await startFaultProxy({ upstream: reg, tls })
      const agent = new Agent({ connect: proxy.ca ? { ca: proxy.ca.caCertPem } : {} })
      try {
        assert.equal(proxy.url.startsWith('https:'), tls)
        assert.equal(proxy.ca !== undefined, tls)
        const res = await get(`${proxy.url}/v2/many/tags/manifests/tag-042`, {
          agent,
          headers: { accept: MANIFEST_ACCEPT },
        })
        assert.equal(res.status, 200)
        assert.equal(sha(res.body), fx.manyTags.digest)
        assert.deepEqual(
          proxy.requests().map((r) => [r.method, r.path, r.status, r.hadAuthorization]),
          [['GET', '/v2/many/tags/manifests/tag-042', 200, false]],
        )
      } finally {
        await agent.close()
        await proxy.stop()
      }
    }
  })

  void it('records requests in the access log', async () => {
    reg.clearAccessLog()
    await get(`${reg.url}/v2/single/oci-tool/manifests/1.0`, {
      method: 'HEAD',
      headers: { accept: OCI_MANIFEST },
    })
    const log = await reg.accessLogSettled()
    assert.deepEqual(
      log.map((r) => [r.method, r.path, r.status]),
      [['HEAD', '/v2/single/oci-tool/manifests/1.0', 200]],
    )
  })
})

void describe('HTTPS registry with htpasswd Basic auth', () => {
  let reg: RunningRegistry
  before(async () => {
    reg = await startRegistry({ auth: 'basic', users: { bob: 'bob-pass' } })
    await pushFixtures(reg)
  })
  after(() => reg?.stop())

  void it('challenges with Basic and accepts only the right password', async () => {
    const path = `${reg.url}/v2/single/docker-tool/manifests/1.0`
    const anon = await get(path, { agent: reg.agent, headers: { accept: MANIFEST_ACCEPT } })
    assert.equal(anon.status, 401)
    assert.equal(anon.headers['www-authenticate'], 'Basic realm="testbed-basic"')
    const basic = (u: string): string => `Basic ${Buffer.from(u).toString('base64')}`
    const ok = await get(path, {
      agent: reg.agent,
      headers: { accept: MANIFEST_ACCEPT, authorization: basic('bob:bob-pass') },
    })
    assert.equal(ok.status, 200)
    const bad = await get(path, {
      agent: reg.agent,
      headers: { accept: MANIFEST_ACCEPT, authorization: basic('bob:nope') },
    })
    assert.equal(bad.status, 401)
  })

  void it('is only trusted with the harness CA', async () => {
    assert.ok(reg.ca)
    const untrusted = new Agent()
    try {
      await assert.rejects(
        get(`${reg.url}/v2/`, { agent: untrusted }),
        (e: Error & { cause?: { code?: string } }) => {
          assert.equal(
            e.cause?.code ?? (e as { code?: string }).code,
            'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
          )
          return true
        },
      )
    } finally {
      await untrusted.close()
    }
  })
})

void describe('HTTPS registry with bearer-token auth', () => {
  let reg: RunningRegistry
  let fx: Fixtures
  before(async () => {
    reg = await startRegistry({
      auth: 'token',
      token: {
        users: {
          alice: {
            password: 'alice-pass',
            grants: { 'team-a/*': ['pull'], 'team-a/app': ['pull', 'push'] },
          },
        },
        anonymous: ['public/*'],
        refreshTokens: { 'alice-identity-token': 'alice' },
      },
    })
    fx = await pushFixtures(reg)
  })
  after(() => reg?.stop())

  async function token(query: string, creds?: string): Promise<string> {
    const res = await get(`${reg.tokenServer!.realm}?service=testbed-registry&${query}`, {
      agent: reg.agent,
      headers: creds ? { authorization: `Basic ${Buffer.from(creds).toString('base64')}` } : {},
    })
    assert.equal(res.status, 200, res.body.toString())
    return json<{ token: string }>(res.body).token
  }

  void it('pushed the per-repository copies', () => {
    assert.ok(fx.perRepository)
    assert.equal(fx.perRepository.teamA.digest, fx.ociSingle.digest)
    assert.equal(fx.perRepository.publicBase.reference, `${reg.host}/public/base:1.0`)
  })

  void it('refuses anonymous pulls of team-a but allows public/base', async () => {
    const teamA = `${reg.url}/v2/team-a/app/manifests/v1`
    const challenge = await get(teamA, { agent: reg.agent, headers: { accept: MANIFEST_ACCEPT } })
    assert.equal(challenge.status, 401)
    assert.equal(
      challenge.headers['www-authenticate'],
      `Bearer realm="${reg.tokenServer!.realm}",service="testbed-registry",scope="repository:team-a/app:pull"`,
    )
    const anonTeam = await token('scope=repository:team-a/app:pull')
    assert.deepEqual(decodeJwt(anonTeam).claims.access, [])
    const denied = await get(teamA, {
      agent: reg.agent,
      headers: { accept: MANIFEST_ACCEPT, authorization: `Bearer ${anonTeam}` },
    })
    assert.equal(denied.status, 401)
    assert.match(String(denied.headers['www-authenticate']), /error="insufficient_scope"/)

    const anonPublic = await token('scope=repository:public/base:pull')
    const ok = await get(`${reg.url}/v2/public/base/manifests/1.0`, {
      agent: reg.agent,
      headers: { accept: MANIFEST_ACCEPT, authorization: `Bearer ${anonPublic}` },
    })
    assert.equal(ok.status, 200)
  })

  void it('grants alice team-a only, intersecting requested and granted actions', async () => {
    const t = await token(
      'scope=repository:team-a/app:pull,push,delete&scope=repository:team-b/app:pull',
      'alice:alice-pass',
    )
    const { header, claims } = decodeJwt(t)
    assert.ok(Array.isArray(header.x5c))
    assert.equal(claims.aud, 'testbed-registry')
    assert.equal(claims.sub, 'alice')
    assert.deepEqual(claims.access, [
      { type: 'repository', name: 'team-a/app', actions: ['pull', 'push'] },
    ])
    const teamB = await get(`${reg.url}/v2/team-b/app/manifests/v1`, {
      agent: reg.agent,
      headers: { accept: MANIFEST_ACCEPT, authorization: `Bearer ${t}` },
    })
    assert.equal(teamB.status, 401)
    const bad = await get(`${reg.tokenServer!.realm}?service=testbed-registry`, {
      agent: reg.agent,
      headers: { authorization: `Basic ${Buffer.from('alice:wrong').toString('base64')}` },
    })
    assert.equal(bad.status, 401)
    const last = reg.tokenServer!.requests().at(-1)!
    assert.equal(last.claimedUser, 'alice')
    assert.equal(last.user, undefined)
  })

  void it('answers OAuth2 POST with a refresh token and with a password grant', async () => {
    const post = (form: Record<string, string>) =>
      request(reg.tokenServer!.realm, {
        method: 'POST',
        dispatcher: reg.agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      })
    const r1 = await post({
      grant_type: 'refresh_token',
      refresh_token: 'alice-identity-token',
      service: 'testbed-registry',
      client_id: 'imagestreams',
      scope: 'repository:team-a/app:pull',
    })
    assert.equal(r1.statusCode, 200)
    const b1 = (await r1.body.json()) as { access_token: string }
    const ok = await get(`${reg.url}/v2/team-a/app/manifests/v1`, {
      agent: reg.agent,
      headers: { accept: MANIFEST_ACCEPT, authorization: `Bearer ${b1.access_token}` },
    })
    assert.equal(ok.status, 200)
    const r2 = await post({
      grant_type: 'password',
      username: 'alice',
      password: 'alice-pass',
      access_type: 'offline',
      service: 'testbed-registry',
      client_id: 'x',
    })
    const b2 = (await r2.body.json()) as { refresh_token?: string }
    assert.equal(r2.statusCode, 200)
    assert.ok(b2.refresh_token)
    assert.equal(reg.tokenServer!.refreshTokens()[b2.refresh_token], 'alice')
    const r3 = await post({
      grant_type: 'refresh_token',
      refresh_token: 'nope',
      service: 'testbed-registry',
    })
    await r3.body.dump()
    assert.equal(r3.statusCode, 401)
  })

  void it('is accepted by distribution with a libtrust kid instead of x5c, and POST can be turned off', async () => {
    const dir = makeTempDir('selftest')
    try {
      const ca = await createTestCA(dir)
      const ts = await startTokenServer({ ca, keyHeader: 'kid', oauthPost: false })
      const agent = new Agent({ connect: { ca: ca.caCertPem } })
      try {
        const tok = await get(`${ts.realm}?service=testbed-registry`, { agent })
        const t = json<{ token: string }>(tok.body).token
        assert.match(String(decodeJwt(t).header.kid), /^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/)
        const posted = await get(ts.realm, { agent, method: 'POST' })
        assert.equal(posted.status, 404)
      } finally {
        await agent.close()
        await ts.stop()
      }
      // The same kind of server wired into a registry: /v2/ accepts any valid token.
      const kidReg = await startRegistry({ auth: 'token', token: { keyHeader: 'kid' } })
      try {
        const client = new RegistryClient({ url: kidReg.url, dispatcher: kidReg.agent })
        const res = await client.request('GET', '/v2/')
        assert.equal(res.status, 200)
      } finally {
        await kidReg.stop()
      }
    } finally {
      await removeTempDir(dir)
    }
  })

  void describe('through the fault proxy', () => {
    let proxy: FaultProxy
    let client: RegistryClient
    before(async () => {
      proxy = await startFaultProxy({ upstream: reg })
      client = new RegistryClient({ url: proxy.url, creds: reg.pushCreds, dispatcher: reg.agent })
    })
    after(() => proxy?.stop())

    void it('passes the Bearer challenge through unchanged', async () => {
      const res = await get(`${proxy.url}/v2/`, { agent: reg.agent })
      assert.equal(res.status, 401)
      assert.equal(
        res.headers['www-authenticate'],
        `Bearer realm="${reg.tokenServer!.realm}",service="testbed-registry"`,
      )
    })

    void it('paginates many/tags with relative Links, and skopeo follows them', async () => {
      proxy.setFault({ kind: 'paginate-tags', pageSize: 40 })
      const pages: string[][] = []
      let next: string | undefined = '/v2/many/tags/tags/list'
      while (next) {
        const res = await client.request('GET', next)
        assert.equal(res.status, 200)
        pages.push(json<{ tags: string[] }>(res.body).tags)
        const link = res.headers.link as string | undefined
        next = link === undefined ? undefined : /^<([^>]+)>; rel="next"$/.exec(link)![1]
        if (next) assert.match(next, /^\/v2\/many\/tags\/tags\/list\?last=tag-\d{3}&n=40$/)
      }
      assert.deepEqual(
        pages.map((p) => p.length),
        [40, 40, 40, 30],
      )
      assert.deepEqual(pages.flat(), fx.manyTags.tags)

      const listed = await runCommand('skopeo', [
        'list-tags',
        '--cert-dir',
        reg.ca!.certDir,
        '--creds',
        reg.pushCreds!,
        `docker://${proxy.host}/many/tags`,
      ])
      assert.deepEqual(json<{ Tags: string[] }>(Buffer.from(listed.stdout)).Tags, fx.manyTags.tags)
      assert.ok(proxy.requests().filter((r) => r.fault === 'paginate-tags').length >= 8)
      proxy.setFault(undefined)
    })

    void it('resets a blob read mid-body once, then serves it normally', async () => {
      const layer = fx.ociSingle.layers[1]!
      proxy.setFault({ kind: 'reset-mid-body', method: 'GET', path: /\/blobs\// })
      await assert.rejects(client.request('GET', `/v2/single/oci-tool/blobs/${layer.digest}`))
      const again = await client.request('GET', `/v2/single/oci-tool/blobs/${layer.digest}`)
      assert.equal(sha(again.body), layer.digest)
    })

    void it('corrupts a manifest body but keeps its digest header', async () => {
      proxy.setFault({ kind: 'corrupt-body', path: /\/manifests\// })
      const res = await client.request(
        'GET',
        `/v2/single/oci-tool/manifests/${fx.ociSingle.digest}`,
        {
          headers: { accept: MANIFEST_ACCEPT },
        },
      )
      assert.equal(res.status, 200)
      assert.equal(res.headers['docker-content-digest'], fx.ociSingle.digest)
      assert.equal(res.body.length, fx.ociSingle.size)
      assert.notEqual(sha(res.body), fx.ociSingle.digest)
    })

    void it('injects 429 with Retry-After once', async () => {
      proxy.setFault({ kind: 'status', status: 429, retryAfter: '2', method: 'HEAD' })
      const path = `/v2/single/oci-tool/manifests/1.0`
      const limited = await client.request('HEAD', path, { headers: { accept: MANIFEST_ACCEPT } })
      assert.equal(limited.status, 429)
      assert.equal(limited.headers['retry-after'], '2')
      const ok = await client.request('HEAD', path, { headers: { accept: MANIFEST_ACCEPT } })
      assert.equal(ok.status, 200)
    })

    void it('holds headers back with slow-headers', async () => {
      proxy.setFault({ kind: 'slow-headers', ms: 30_000 })
      const impatient = new Agent({ connect: { ca: reg.ca!.caCertPem }, headersTimeout: 200 })
      try {
        await assert.rejects(get(`${proxy.url}/v2/`, { agent: impatient }), {
          code: 'UND_ERR_HEADERS_TIMEOUT',
        })
      } finally {
        await impatient.close()
      }
      assert.equal(proxy.requests().at(-1)!.fault, 'slow-headers')
    })

    void it('redirects a blob GET to another origin that gets no Authorization', async () => {
      proxy.setFault({ kind: 'redirect-blob' })
      const cfg = fx.ociSingle.config
      const res = await client.request('GET', `/v2/single/oci-tool/blobs/${cfg.digest}`)
      assert.equal(res.status, 307)
      const location = new URL(String(res.headers.location))
      assert.equal(location.origin, proxy.redirectTarget.url)
      const followed = await get(location.toString(), { agent: reg.agent })
      assert.equal(followed.status, 200)
      assert.equal(sha(followed.body), cfg.digest)
      assert.deepEqual(
        proxy.redirectTarget.requests().map((r) => [r.method, r.hadAuthorization]),
        [['GET', false]],
      )
    })

    void it('keeps upload Locations on the proxy', async () => {
      const res = await client.request('POST', '/v2/scratch/upload/blobs/uploads/')
      assert.equal(res.status, 202)
      assert.equal(new URL(String(res.headers.location)).origin, proxy.url)
    })
  })
})
