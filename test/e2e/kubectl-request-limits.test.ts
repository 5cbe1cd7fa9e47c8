/**
 * Hostile requests through real kubectl 1.32 against a real `isctl serve`
 * (docs/kubernetes-api.md#request-bodies-and-content-types, #watch, #query-parameters): a body
 * nested past the limit is a 400 kubectl prints, malformed list options are refused with the
 * apiserver's texts, and a watch asking for a timeout past Node's timer range stays open and
 * delivers the next change.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { KUBECTL, succeeded, useServe } from '../harness/index.js'

const IS = '/apis/image.openshift.io/v1/namespaces/default/imagestreams'

/** deepStream is an ImageStream manifest with an unknown spec field nesting `depth` objects (kubectl decodes metadata itself). */
const deepStream = (name: string, depth: number): string =>
  `{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"${name}"},` +
  `"spec":{"x":${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}}}`

void describe('kubectl against isctl serve: requests past the limits', () => {
  const suite = useServe()
  const k = (args: readonly string[], input?: string) => suite.kubectl(args, input)

  it('create and server-side apply of a body nested 3,000 deep are refused naming the limit', async () => {
    for (const args of [
      ['create', '-f', '-'],
      ['apply', '--server-side', '-f', '-'],
    ]) {
      const res = await k(args, deepStream('deep', 3000))
      assert.notEqual(res.code, 0, res.stdout)
      assert.match(res.stderr, /\(BadRequest\).*exceeded max depth of 500/, args.join(' '))
    }
  })

  it('malformed resourceVersion and resourceVersionMatch get the apiserver texts', async () => {
    const cases: [string, RegExp][] = [
      [
        'resourceVersion=abc',
        /Error from server \(BadRequest\): invalid resource version: resourceVersion: Invalid value: "abc": strconv\.ParseUint: parsing "abc": invalid syntax/,
      ],
      [
        'resourceVersion=1&resourceVersionMatch=Bogus',
        /The ListOptions "" is invalid: resourceVersionMatch: Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""/,
      ],
    ]
    for (const [query, message] of cases) {
      const res = await k(['get', '--raw', `${IS}?${query}`])
      assert.notEqual(res.code, 0, res.stdout)
      assert.match(res.stderr, message)
    }
  })

  it('a watch with timeoutSeconds=9999999999 stays open past a write and delivers it', async () => {
    await succeeded(
      k(
        ['create', '-f', '-'],
        '{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"watched"}}',
      ),
    )
    const list = JSON.parse(await succeeded(k(['get', '--raw', IS]))) as {
      metadata: { resourceVersion: string }
    }
    const cacheDir = join(suite.home, 'kubectl-watch')
    const watch = spawn(
      KUBECTL,
      [
        '--kubeconfig',
        suite.kubeconfig,
        '--cache-dir',
        cacheDir,
        'get',
        '--raw',
        `${IS}?watch=true&timeoutSeconds=9999999999&resourceVersion=${list.metadata.resourceVersion}`,
      ],
      { env: { PATH: process.env.PATH, HOME: cacheDir }, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    try {
      let stdout = ''
      let stderr = ''
      watch.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
      const exited = new Promise<string>((resolve) =>
        watch.once('exit', (code) => resolve(`exited ${code}: ${stderr}`)),
      )
      const firstEvent = new Promise<string>((resolve) => {
        watch.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk
          if (stdout.includes('\n')) resolve(stdout.slice(0, stdout.indexOf('\n')))
        })
      })
      // The write follows the watch's start: label until the event arrives (or kubectl exits).
      let first: string | undefined
      for (let i = 0; first === undefined; i++) {
        await succeeded(k(['label', '--overwrite', 'imagestream', 'watched', `round=${i}`]))
        first = await Promise.race([
          firstEvent,
          exited,
          new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined))),
        ])
      }
      assert.doesNotMatch(first, /^exited/, 'the watch ended instead of delivering the write')
      const event = JSON.parse(first) as { type: string; object: { metadata: { name: string } } }
      assert.equal(event.type, 'MODIFIED')
      assert.equal(event.object.metadata.name, 'watched')
    } finally {
      watch.kill()
    }
  })
})
