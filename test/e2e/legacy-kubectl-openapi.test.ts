/**
 * Debian's kubectl 1.20 against the built `isctl serve`: a kubectl that predates OpenAPI v3
 * reads only `/openapi/v2` (as protobuf) for `explain` and for its client-side validation of
 * `create -f`, so these need the full swagger document: the image kinds and the core kinds,
 * with their GVKs, fields, descriptions and required fields.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { kubectl, legacyKubectl, useServe } from '../harness/index.js'
import { IMAGE_STREAM } from './manifests.js'

describe('kubectl 1.20 and the OpenAPI v2 document', () => {
  const suite = useServe()
  let bin: string
  before(async () => {
    bin = await legacyKubectl()
  })
  const k = (args: readonly string[]) =>
    kubectl(args, { kubeconfig: suite.kubeconfig, cacheDir: join(suite.home, 'k120'), bin })
  const manifest = (name: string, text: string) => {
    const path = join(suite.home, name)
    writeFileSync(path, text)
    return path
  }

  it('explain is.spec.tags prints the TagReference fields with their descriptions', async () => {
    const res = await k(['explain', 'is.spec.tags'])
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, /^KIND: +ImageStream$/m)
    assert.match(res.stdout, /^VERSION: +image\.openshift\.io\/v1$/m)
    assert.match(res.stdout, /^RESOURCE: tags <\[\]Object>$/m)
    assert.match(res.stdout, /TagReference specifies optional annotations for images/)
    assert.match(res.stdout, /^ {3}name\t<string> -required-\n {5}Name of the tag\.$/m)
    assert.match(res.stdout, /^ {3}from\t<Object>$/m)
    assert.match(res.stdout, /^ {3}referencePolicy\t<Object>$/m)
  })

  it('explain secret describes the core kind', async () => {
    const res = await k(['explain', 'secret'])
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, /^KIND: +Secret$/m)
    assert.match(res.stdout, /^VERSION: +v1$/m)
    assert.match(res.stdout, /^ {3}data\t<map\[string\]string>$/m)
    assert.match(res.stdout, /^ {3}metadata\t<Object>\n {5}Standard object's metadata\./m)
  })

  it('create --dry-run=server -f validates against the document, then asks the server', async () => {
    const res = await k(['create', '--dry-run=server', '-f', manifest('is.yaml', IMAGE_STREAM)])
    assert.equal(res.code, 0, res.stderr)
    assert.equal(res.stdout, 'imagestream.image.openshift.io/ruby created (server dry run)\n')
    const get = await k(['get', 'is', 'ruby'])
    assert.match(get.stderr, /NotFound/)
  })

  it('create -f refuses a misspelt field on the client, naming the definition', async () => {
    const bad = IMAGE_STREAM.replace('  - name: "3.3"', '  - nmae: "3.3"')
    const res = await k(['create', '--dry-run=server', '-f', manifest('bad.yaml', bad)])
    assert.equal(res.code, 1)
    assert.match(
      res.stderr,
      /error validating data: \[ValidationError\(ImageStream\.spec\.tags\[0\]\): unknown field "nmae" in com\.github\.openshift\.api\.image\.v1\.TagReference, ValidationError\(ImageStream\.spec\.tags\[0\]\): missing required field "name" in com\.github\.openshift\.api\.image\.v1\.TagReference\]/,
    )
  })
})
