/**
 * `kill -9` of `isctl serve` in the middle of a loop of imports: after a restart the database
 * passes `PRAGMA integrity_check`, every history item's Image exists, and imports continue.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { Agent, request } from 'undici'
import {
  adminCredentials,
  kubectl,
  makeTempDir,
  removeTempDir,
  startServe,
  stopServe,
  useRegistry,
  type ServeProcess,
} from '../harness/index.js'

describe('isctl serve killed during imports', () => {
  const env = useRegistry({ auth: 'none' })
  let dir: string
  let dataDir: string
  let server: ServeProcess

  const api = (s: ServeProcess) => {
    const admin = adminCredentials(s.kubeconfig)
    return {
      base: admin.server,
      token: admin.token,
      agent: new Agent({ connect: { ca: admin.caPem } }),
    }
  }
  const importTag = async (s: ServeProcess, tag: string) => {
    const { base, token, agent } = api(s)
    try {
      const res = await request(
        `${base}/apis/image.openshift.io/v1/namespaces/crash/imagestreamimports`,
        {
          method: 'POST',
          dispatcher: agent,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            apiVersion: 'image.openshift.io/v1',
            kind: 'ImageStreamImport',
            metadata: { name: 'app' },
            spec: {
              import: true,
              images: [
                {
                  from: {
                    kind: 'DockerImage',
                    name: `${env.reg.host}/${env.fx.manyTags.repository}:${tag}`,
                  },
                  to: { name: tag },
                  importPolicy: { insecure: true },
                },
              ],
            },
          }),
        },
      )
      await res.body.dump()
      return res.statusCode
    } finally {
      await agent.close()
    }
  }

  before(async () => {
    dir = makeTempDir('crash-e2e')
    dataDir = join(dir, 'data')
    server = await startServe(dataDir)
    const res = await kubectl(['create', 'namespace', 'crash'], {
      kubeconfig: server.kubeconfig,
      cacheDir: join(dir, 'cache'),
    })
    assert.equal(res.code, 0, res.stderr)
  })
  after(async () => {
    if (server) await stopServe(server, 'SIGKILL')
    await removeTempDir(dir)
  })

  it('survives kill -9 with an intact database and carries on', async () => {
    const tags = env.fx.manyTags.tags
    let done = 0
    // A steady stream of imports; the server is killed while some are in flight.
    const loop = (async () => {
      for (const tag of tags) {
        try {
          if ((await importTag(server, tag)) === 201) done++
        } catch {
          return
        }
      }
    })()
    while (done < 10) await new Promise((r) => setTimeout(r, 20))
    server.child.kill('SIGKILL')
    await server.exited
    await loop

    const db = new Database(join(dataDir, 'imagestreams.db'), { readonly: true })
    try {
      assert.equal(
        (db.pragma('integrity_check') as { integrity_check: string }[])[0]?.integrity_check,
        'ok',
      )
    } finally {
      db.close()
    }

    server = await startServe(dataDir)
    const k = (args: readonly string[]) =>
      kubectl(args, { kubeconfig: server.kubeconfig, cacheDir: join(dir, 'cache2') })
    const stream = JSON.parse(
      (await k(['get', 'is', 'app', '-n', 'crash', '-o', 'json'])).stdout,
    ) as {
      status: { tags: { items: { image: string }[] }[] }
    }
    const history = stream.status.tags.flatMap((t) => t.items.map((i) => i.image))
    assert.ok(history.length >= 10, `only ${history.length} history items survived`)
    const images = (await k(['get', 'images', '-o', 'name'])).stdout
    for (const image of new Set(history))
      assert.ok(images.includes(image), `Image ${image} is missing`)
    assert.equal(await importTag(server, 'after-restart-does-not-exist'), 201)
    assert.equal(await importTag(server, tags[tags.length - 1]!), 201)
  })
})
