/**
 * `isctl get` and `isctl delete` against a real `isctl serve`, next to real kubectl on the same
 * kubeconfig: the same objects, byte for byte in json and yaml, the same tables (ages aside),
 * kubectl's messages for missing objects and types, and `get -w` showing an import land.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { describe, it } from 'node:test'
import { insecureImport, ISCTL_BIN, succeeded, useRegistry, useServe } from '../harness/index.js'
import { pollUntil, trackChild } from '../harness/process.js'

/**
 * Ages differ by the second between two commands run one after the other, and a longer age
 * widens its column: both go (alignment itself is checked by the table printer's unit tests).
 */
function withoutAges(text: string): string {
  return text
    .replace(/\b(Less than a second|About an? \w+|\d+ \w+) ago\b/g, 'AGE')
    .replace(/\b\d+[smhd]\b/g, 'AGE')
    .replace(/ {2,}/g, '  ')
}

describe('isctl get and delete', () => {
  const env = useRegistry({ auth: 'none' })
  const suite = useServe()
  const ok = succeeded
  const importTag = (namespace: string, stream: string, tag: string, from: string) =>
    ok(suite.kubectl(['create', '-f', '-'], insecureImport(namespace, stream, tag, from)))

  it('prints the same objects and tables as kubectl', async () => {
    await ok(suite.kubectl(['create', 'namespace', 'team']))
    await importTag('default', 'tool', 'v1', env.fx.ociSingle.reference)
    await importTag('team', 'app', 'v1', env.fx.ociIndex.reference)
    await ok(suite.kubectl(['label', 'is', 'tool', 'app=tool']))
    const same = [
      ['get', 'is'],
      ['get', 'is', '-o', 'wide'],
      ['get', 'istag', '-A', '-o', 'wide'],
      ['get', 'is', 'tool', '-o', 'json'],
      ['get', 'is', 'app', '-n', 'team', '-o', 'yaml'],
      ['get', 'is', '-A', '-o', 'name'],
      ['get', 'is,sa', '-n', 'team'],
      ['get', 'is', '-l', 'app=tool', '-o', 'yaml'],
      ['get', 'images', '-o', 'name'],
      ['get', 'istag/tool:v1', '-o', 'json'],
      ['-n', 'team', 'get', 'imagestreams.image.openshift.io', '--no-headers'],
      ['get', 'is', '--show-labels'],
    ]
    for (const args of same) {
      const ours = await suite.run(args)
      const theirs = await suite.kubectl(args)
      assert.equal(ours.code, theirs.code, args.join(' '))
      assert.equal(withoutAges(ours.stdout), withoutAges(theirs.stdout), args.join(' '))
    }
    const table = await ok(suite.run(['get', 'is']))
    assert.match(table, /^NAME\s+IMAGE REPOSITORY\s+TAGS\s+UPDATED\n/)
    assert.match(table, /^tool\s+\S+\/default\/tool\s+v1\s+/m)
  })

  it('reports missing objects and unknown types as kubectl does', async () => {
    const cases: { args: string[]; code: number; stdout: string; stderr: string }[] = [
      {
        args: ['get', 'is', 'tool', 'nope'],
        code: 1,
        stdout: /^NAME/.source,
        stderr: 'Error from server (NotFound): imagestreams.image.openshift.io "nope" not found\n',
      },
      {
        args: ['get', 'is', 'nope', '--ignore-not-found'],
        code: 0,
        stdout: '^$',
        stderr: '',
      },
      {
        args: ['get', 'widgets'],
        code: 1,
        stdout: '^$',
        stderr: 'error: the server doesn\'t have a resource type "widgets"\n',
      },
      {
        args: ['get', 'is', '-n', 'empty-ns'],
        code: 0,
        stdout: '^$',
        stderr: 'No resources found in empty-ns namespace.\n',
      },
      {
        args: ['get', 'is', 'tool', '-o', 'table'],
        code: 1,
        stdout: '^$',
        stderr:
          'error: unable to match a printer suitable for the output format "table", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml\n',
      },
    ]
    for (const c of cases) {
      const res = await suite.run(c.args)
      assert.equal(res.code, c.code, `${c.args.join(' ')}: ${res.stderr}`)
      assert.match(res.stdout, new RegExp(c.stdout), c.args.join(' '))
      assert.equal(res.stderr, c.stderr, c.args.join(' '))
    }
  })

  it('follows a stream with -w until its tag is imported', async () => {
    await ok(
      suite.kubectl(
        ['create', '-f', '-'],
        JSON.stringify({
          apiVersion: 'image.openshift.io/v1',
          kind: 'ImageStream',
          metadata: { name: 'watched' },
        }),
      ),
    )
    const child = spawn(process.execPath, [ISCTL_BIN, 'get', 'is', 'watched', '-w'], {
      env: { PATH: process.env.PATH, HOME: suite.home, KUBECONFIG: suite.kubeconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    trackChild(child)
    let out = ''
    child.stdout.on('data', (b: Buffer) => (out += b.toString('utf8')))
    try {
      await pollUntil('the first listing', () => Promise.resolve(/^watched/m.test(out)))
      const patch = {
        spec: {
          tags: [
            {
              name: 'v2',
              from: { kind: 'DockerImage', name: env.fx.dockerSingle.reference },
              importPolicy: { insecure: true },
            },
          ],
        },
      }
      await ok(
        suite.kubectl(['patch', 'is', 'watched', '--type=merge', '-p', JSON.stringify(patch)]),
      )
      await pollUntil('a row with the imported tag', () =>
        Promise.resolve(/^watched\s+\S+\s+v2\s+/m.test(out)),
      )
      assert.match(out, /^NAME\s+IMAGE REPOSITORY\s+TAGS\s+UPDATED\n/)
      assert.equal(out.match(/^NAME/gm)?.length, 1, 'one header, then rows')
    } finally {
      child.kill('SIGINT')
    }
  })

  it('deletes by name, TYPE/NAME and selector, printing what kubectl prints', async () => {
    await ok(suite.kubectl(['create', 'secret', 'generic', 'one', '--from-literal=a=b']))
    await ok(suite.kubectl(['create', 'secret', 'generic', 'two', '--from-literal=a=b']))
    await ok(suite.kubectl(['label', 'secret', 'two', 'tier=x']))
    assert.equal(await ok(suite.run(['delete', 'secret', 'one'])), 'secret "one" deleted\n')
    assert.equal(
      await ok(suite.run(['delete', 'secret', '-l', 'tier=x', '--dry-run=server'])),
      'secret "two" deleted (server dry run)\n',
    )
    assert.equal(await ok(suite.run(['delete', 'secrets/two', '-o', 'name'])), 'secret/two\n')
    const missing = await suite.run(['delete', 'is', 'nope'])
    assert.equal(missing.code, 1)
    assert.equal(
      missing.stderr,
      'Error from server (NotFound): imagestreams.image.openshift.io "nope" not found\n',
    )
    const bare = await suite.run(['delete', 'is'])
    assert.equal(bare.code, 1)
    assert.match(bare.stderr, /^error: resource\(s\) were provided, but no name was specified/)
    assert.equal(
      await ok(suite.run(['delete', 'is', 'tool'])),
      'imagestream.image.openshift.io "tool" deleted\n',
    )
    const after = await suite.kubectl(['get', 'is', 'tool'])
    assert.equal(after.code, 1)
    assert.equal(after.stdout, '')
  })
})
