import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { after, before, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { RESOURCE_LIST } from '../api/index.js'
import { createServer } from './app.js'
import { createAdminAuthorizer, createTokenAuthenticator } from './auth/index.js'
import { isConsoleRequest, loadConsoleFiles, registerConsole } from './console.js'
import { createLogger } from './logger.js'
import { ensurePki } from './pki.js'

const INDEX =
  '<!doctype html><title>console</title><script src="/console/assets/main-ABC.js"></script>'
const SCRIPT = 'console.log("the console")\n'.repeat(50)

describe('the web console files', () => {
  let dir = ''
  let app: FastifyInstance

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagestreams-console-'))
    const built = join(dir, 'console')
    mkdirSync(join(built, 'assets'), { recursive: true })
    writeFileSync(join(built, 'index.html'), INDEX)
    writeFileSync(join(built, 'assets', 'main-ABC.js'), SCRIPT)
    const pki = await ensurePki({ dataDir: dir, hosts: [] })
    app = createServer({
      logger: createLogger({ level: 'silent' }),
      auth: createTokenAuthenticator([]),
      authorizer: createAdminAuthorizer(),
      resources: RESOURCE_LIST,
      tls: { cert: pki.certPem, key: pki.keyPem },
    })
    registerConsole(app, loadConsoleFiles(built))
    await app.ready()
  })
  after(async () => {
    await app.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves a hashed asset without a token, cacheable forever, gzipped when accepted', async () => {
    const plain = await app.inject({ url: '/console/assets/main-ABC.js' })
    assert.equal(plain.statusCode, 200)
    assert.equal(plain.body, SCRIPT)
    assert.equal(plain.headers['content-type'], 'text/javascript; charset=utf-8')
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable')
    assert.equal(plain.headers['content-encoding'], undefined)
    const zipped = await app.inject({
      url: '/console/assets/main-ABC.js',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    })
    assert.equal(zipped.headers['content-encoding'], 'gzip')
    assert.equal(zipped.headers.vary, 'accept-encoding')
    assert.ok(zipped.rawPayload.length < SCRIPT.length / 4)
    assert.equal(gunzipSync(zipped.rawPayload).toString('utf8'), SCRIPT)
  })

  it('answers index.html, never cached unchecked, for the console root and its client routes', async () => {
    for (const url of [
      '/console/',
      '/console/ns/team-a/streams/app',
      '/console/oauth/callback?code=x',
    ]) {
      const res = await app.inject({ url })
      assert.equal(res.statusCode, 200, url)
      assert.equal(res.body, INDEX, url)
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8')
      assert.equal(res.headers['cache-control'], 'no-cache')
      assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/)
      assert.equal(res.headers['x-frame-options'], 'DENY')
    }
    const first = await app.inject({ url: '/console/' })
    const again = await app.inject({
      url: '/console/',
      headers: { 'if-none-match': String(first.headers.etag) },
    })
    assert.equal(again.statusCode, 304)
    assert.equal(again.body, '')
  })

  it('redirects /console to /console/ and answers 404 for an unknown asset', async () => {
    const bare = await app.inject({ url: '/console' })
    assert.equal(bare.statusCode, 301)
    assert.equal(bare.headers.location, '/console/')
    const missing = await app.inject({ url: '/console/assets/main-OLD.js' })
    assert.equal(missing.statusCode, 404)
  })

  it('leaves every other path and method to authentication', async () => {
    assert.equal((await app.inject({ url: '/consoles' })).statusCode, 401)
    assert.equal((await app.inject({ method: 'POST', url: '/console/' })).statusCode, 401)
    assert.equal((await app.inject({ url: '/apis' })).statusCode, 401)
    assert.equal(isConsoleRequest('GET', '/console?x=1'), true)
    assert.equal(isConsoleRequest('GET', '/consolex'), false)
    assert.equal(isConsoleRequest('DELETE', '/console/'), false)
  })

  it('says the console is not built when there are no files', async () => {
    assert.equal(loadConsoleFiles(join(dir, 'nothing')), undefined)
    const pki = await ensurePki({ dataDir: dir, hosts: [] })
    const bare = createServer({
      logger: createLogger({ level: 'silent' }),
      auth: createTokenAuthenticator([]),
      authorizer: createAdminAuthorizer(),
      resources: RESOURCE_LIST,
      tls: { cert: pki.certPem, key: pki.keyPem },
    })
    registerConsole(bare, undefined)
    const res = await bare.inject({ url: '/console/' })
    await bare.close()
    assert.equal(res.statusCode, 404)
    assert.match(res.body, /npm run build/)
  })
})
