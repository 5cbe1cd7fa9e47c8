/**
 * isctl's object verbs against a real `isctl serve`, checked with kubectl: apply (client-side
 * twice, then server-side), create/replace/delete -f over files, stdin, multi-document YAML and
 * Lists, edit through a scripted editor (saved, unchanged, re-opened on an invalid save), patch
 * of all three types, label and annotate, create imagestream/imagestreamtag, set image-lookup,
 * explain and api-resources byte for byte against kubectl, and bash completion of stream names
 * through the API.
 */
import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { ImageStream } from '../../src/api/index.js'
import { ISCTL_BIN, isctl, runCommand, useServe } from '../harness/index.js'

const STREAM = (name: string, tag: string, image: string) => `apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: ${name}
spec:
  tags:
  - name: ${tag}
    from:
      kind: DockerImage
      name: ${image}
`

describe('isctl object verbs', () => {
  const suite = useServe()
  const ok = async (args: readonly string[], input?: string) => {
    const res = await suite.run(args, input)
    assert.equal(res.code, 0, `isctl ${args.join(' ')}: ${res.stderr}`)
    return res.stdout
  }
  const stream = async (name: string): Promise<ImageStream> => {
    const res = await suite.kubectl(['get', 'is', name, '-o', 'json'])
    assert.equal(res.code, 0, res.stderr)
    return JSON.parse(res.stdout) as ImageStream
  }
  const file = (name: string, text: string) => {
    const path = join(suite.home, name)
    writeFileSync(path, text)
    return path
  }
  /** A shell script in the suite's home, made executable. */
  const script = (name: string, body: string) => {
    const path = file(name, `#!/bin/sh\n${body}\n`)
    chmodSync(path, 0o755)
    return path
  }

  it('apply creates, leaves an unchanged manifest alone, configures a changed one, applies server-side', async () => {
    const manifest = file('web.yaml', STREAM('web', 'v1', 'quay.io/a/web:1'))
    assert.equal(
      await ok(['apply', '-f', manifest]),
      'imagestream.image.openshift.io/web created\n',
    )
    assert.equal(
      await ok(['apply', '-f', manifest]),
      'imagestream.image.openshift.io/web unchanged\n',
    )
    // kubectl reads our annotation as its own: nothing to do for it either.
    const kube = await suite.kubectl(['apply', '-f', manifest])
    assert.equal(kube.stdout, 'imagestream.image.openshift.io/web unchanged\n', kube.stderr)
    // A tag another client added stays; the changed tag is patched.
    await ok(['tag', 'quay.io/a/other:1', 'web:other'])
    assert.equal(
      await ok(['apply', '-f', '-'], STREAM('web', 'v1', 'quay.io/a/web:2')),
      'imagestream.image.openshift.io/web configured\n',
    )
    const tags = (await stream('web')).spec?.tags ?? []
    assert.deepEqual(
      tags.map((t) => [t.name, t.from?.name]),
      [
        ['other', 'quay.io/a/other:1'],
        ['v1', 'quay.io/a/web:2'],
      ],
    )
    assert.equal(
      await ok(['apply', '--server-side', '-f', manifest]),
      'imagestream.image.openshift.io/web serverside-applied\n',
    )
    assert.equal(
      (await stream('web')).spec?.tags?.find((t) => t.name === 'v1')?.from?.name,
      'quay.io/a/web:1',
    )

    // An object created without --save-config gets kubectl's warning and then the annotation.
    const plain = file('plain.yaml', STREAM('plain', 'v1', 'quay.io/a/plain:1'))
    await ok(['create', '-f', plain])
    const first = await suite.run(['apply', '-f', plain])
    assert.equal(first.stdout, 'imagestream.image.openshift.io/plain configured\n')
    assert.match(
      first.stderr,
      /^Warning: resource imagestreams\/plain is missing the kubectl.kubernetes.io\/last-applied-configuration annotation which is required by isctl apply\./,
    )
    assert.equal(
      await ok(['apply', '-f', plain]),
      'imagestream.image.openshift.io/plain unchanged\n',
    )
    const savedConfig = file('saved.yaml', STREAM('saved', 'v1', 'quay.io/a/saved:1'))
    await ok(['create', '--save-config', '-f', savedConfig])
    const quiet = await suite.run(['apply', '-f', savedConfig])
    assert.deepEqual(
      [quiet.stdout, quiet.stderr],
      ['imagestream.image.openshift.io/saved unchanged\n', ''],
    )
  })

  it('create, replace and delete -f take directories, stdin, several documents and Lists', async () => {
    const dir = join(suite.home, 'manifests')
    mkdirSync(dir)
    writeFileSync(
      join(dir, 'a.yaml'),
      `${STREAM('fa', 'v1', 'quay.io/a/fa:1')}---\n${STREAM('fb', 'v1', 'quay.io/a/fb:1')}`,
    )
    writeFileSync(join(dir, 'notes.txt'), 'not a manifest')
    const list = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'image.openshift.io/v1', kind: 'ImageStream', metadata: { name: 'fc' } },
      ],
    })
    assert.equal(
      await ok(['create', '-f', dir]),
      'imagestream.image.openshift.io/fa created\nimagestream.image.openshift.io/fb created\n',
    )
    assert.equal(
      await ok(['create', '-f', '-'], list),
      'imagestream.image.openshift.io/fc created\n',
    )
    const again = await suite.run(['create', '-f', '-'], list)
    assert.deepEqual(
      { code: again.code, stderr: again.stderr },
      {
        code: 1,
        stderr:
          'Error from server (AlreadyExists): error when creating "STDIN": imagestreams.image.openshift.io "fc" already exists\n',
      },
    )
    assert.equal(
      await ok(['replace', '-f', join(dir, 'a.yaml')]),
      'imagestream.image.openshift.io/fa replaced\nimagestream.image.openshift.io/fb replaced\n',
    )
    assert.equal(
      await ok(['delete', '-f', dir, '-f', '-'], list),
      'imagestream.image.openshift.io "fa" deleted\nimagestream.image.openshift.io "fb" deleted\nimagestream.image.openshift.io "fc" deleted\n',
    )
    const missing = await suite.run(['delete', '-f', '-'], list)
    assert.equal(
      missing.stderr,
      'Error from server (NotFound): error when deleting "STDIN": imagestreams.image.openshift.io "fc" not found\n',
    )
    const unknown = await suite.run(
      ['create', '-f', '-'],
      'apiVersion: v9\nkind: Widget\nmetadata:\n  name: w\n',
    )
    assert.equal(
      unknown.stderr,
      'error: resource mapping not found for name: "w" namespace: "" from "STDIN": no matches for kind "Widget" in version "v9"\nensure CRDs are installed first\n',
    )
  })

  it('edit saves through the editor, cancels an unchanged file, re-opens an invalid one with the reasons', async () => {
    await ok(['create', 'imagestream', 'ed'])
    await ok(['create', 'imagestreamtag', 'ed:v1', '--from-image=quay.io/a/ed:1'])
    const run = (editor: string) =>
      isctl(['edit', 'is/ed'], {
        home: suite.home,
        kubeconfig: suite.kubeconfig,
        env: { EDITOR: editor },
      })

    const unchanged = await run(script('noop.sh', 'exit 0'))
    assert.deepEqual(
      { code: unchanged.code, stdout: unchanged.stdout, stderr: unchanged.stderr },
      { code: 0, stdout: '', stderr: 'Edit cancelled, no changes made.\n' },
    )

    const saved = await run(script('sed.sh', 'sed -i "s#quay.io/a/ed:1#quay.io/a/ed:2#" "$1"'))
    assert.equal(saved.stdout, 'imagestream.image.openshift.io/ed edited\n', saved.stderr)
    assert.equal((await stream('ed')).spec?.tags?.[0]?.from?.name, 'quay.io/a/ed:2')

    // First save: an invalid tag name; the second run sees the server's reason and mends it.
    const seen = join(suite.home, 'seen')
    mkdirSync(seen)
    const twice = await run(
      script(
        'twice.sh',
        `n=$(ls ${seen} | wc -l); cp "$1" ${seen}/$n.yaml
if [ "$n" = 0 ]; then sed -i "s/^    name: v1$/    name: bad~tag/" "$1"; else sed -i "s/name: bad~tag/name: v2/" "$1"; fi`,
      ),
    )
    assert.equal(twice.code, 0, twice.stderr)
    assert.equal(twice.stdout, 'imagestream.image.openshift.io/ed edited\n')
    assert.equal(twice.stderr, 'error: imagestreams.image.openshift.io "ed" is invalid\n')
    const reopened = readFileSync(join(seen, '1.yaml'), 'utf8')
    assert.ok(
      reopened.startsWith(`# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
# imagestreams.image.openshift.io "ed" was not valid:
# * spec.tags[bad~tag].name: Invalid value: "bad~tag": `),
      reopened,
    )
    assert.match(reopened, /\n {4}name: bad~tag\n/)
    assert.deepEqual(
      (await stream('ed')).spec?.tags?.map((t) => t.name),
      ['v2'],
    )
  })

  it('patch takes strategic, merge and JSON patches and says when nothing changed', async () => {
    await ok(['create', 'imagestream', 'pt'])
    const strategic = '{"spec":{"lookupPolicy":{"local":true}}}'
    assert.equal(
      await ok(['patch', 'is', 'pt', '-p', strategic]),
      'imagestream.image.openshift.io/pt patched\n',
    )
    assert.equal(
      await ok(['patch', 'is', 'pt', '-p', strategic]),
      'imagestream.image.openshift.io/pt patched (no change)\n',
    )
    assert.equal(
      await ok(['patch', 'is/pt', '--type=merge', '-p', 'metadata:\n  labels:\n    team: web\n']),
      'imagestream.image.openshift.io/pt patched\n',
    )
    assert.equal(
      await ok([
        'patch',
        'is/pt',
        '--type',
        'json',
        '-p',
        '[{"op":"replace","path":"/spec/lookupPolicy/local","value":false}]',
      ]),
      'imagestream.image.openshift.io/pt patched\n',
    )
    const s = await stream('pt')
    assert.deepEqual([s.spec?.lookupPolicy?.local, s.metadata?.labels?.team], [false, 'web'])
    const bad = await suite.run([
      'patch',
      'is/pt',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/spec/nope/x","value":1}]',
    ])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /^The request is invalid: replace operation does not apply/)
    const wrongType = await suite.run(['patch', 'is/pt', '--type=yaml', '-p', '{}'])
    assert.equal(
      wrongType.stderr,
      'error: --type must be one of [json merge strategic], not "yaml"\n',
    )
  })

  it('label and annotate add, refuse to overwrite without --overwrite, and remove', async () => {
    await ok(['create', 'imagestream', 'lb'])
    assert.equal(
      await ok(['label', 'is', 'lb', 'team=web']),
      'imagestream.image.openshift.io/lb labeled\n',
    )
    const clash = await suite.run(['label', 'is', 'lb', 'team=api'])
    assert.deepEqual(
      { code: clash.code, stderr: clash.stderr },
      { code: 1, stderr: "error: 'team' already has a value (web), and --overwrite is false\n" },
    )
    assert.equal(
      await ok(['label', 'is/lb', 'team=api', '--overwrite']),
      'imagestream.image.openshift.io/lb labeled\n',
    )
    assert.equal(
      await ok(['label', 'is/lb', 'team=api']),
      'imagestream.image.openshift.io/lb not labeled\n',
    )
    assert.equal(
      await ok(['label', 'is/lb', 'team-']),
      'imagestream.image.openshift.io/lb unlabeled\n',
    )
    assert.equal(
      await ok(['annotate', 'is', 'lb', 'note=first']),
      'imagestream.image.openshift.io/lb annotated\n',
    )
    const noOverwrite = await suite.run(['annotate', 'is', 'lb', 'note=second'])
    assert.equal(
      noOverwrite.stderr,
      "error: --overwrite is false but found the following declared annotation(s): 'note' already has a value (first)\n",
    )
    assert.equal(
      await ok(['annotate', 'is', 'lb', 'note=second', '--overwrite']),
      'imagestream.image.openshift.io/lb annotated\n',
    )
    const meta = (await stream('lb')).metadata
    assert.deepEqual([meta?.labels?.team, meta?.annotations?.note], [undefined, 'second'])
    assert.equal(
      await ok(['annotate', 'is', 'lb', 'note-']),
      'imagestream.image.openshift.io/lb annotated\n',
    )
  })

  it('create imagestream and imagestreamtag, and set image-lookup', async () => {
    assert.equal(
      await ok(['create', 'imagestream', 'mysql']),
      'imagestream.image.openshift.io/mysql created\n',
    )
    assert.equal(
      await ok(['create', 'imagestreamtag', 'mysql:8', '--from-image=quay.io/a/mysql:8']),
      'imagestreamtag.image.openshift.io/mysql:8 created\n',
    )
    assert.equal(
      await ok(['create', 'imagestreamtag', 'mysql:latest', '--from=mysql:8']),
      'imagestreamtag.image.openshift.io/mysql:latest created\n',
    )
    const tags = (await stream('mysql')).spec?.tags ?? []
    assert.deepEqual(
      tags.map((t) => [t.name, t.from?.kind, t.from?.name]),
      [
        ['8', 'DockerImage', 'quay.io/a/mysql:8'],
        ['latest', 'ImageStreamTag', 'mysql:8'],
      ],
    )
    const both = await suite.run([
      'create',
      'imagestreamtag',
      'mysql:x',
      '--from=mysql:8',
      '--from-image=a/b:1',
    ])
    assert.equal(both.stderr, 'error: --from and --from-image may not be used together\n')

    assert.equal(
      await ok(['set', 'image-lookup', 'mysql']),
      'imagestream.image.openshift.io/mysql image lookup updated\n',
    )
    assert.equal(await ok(['set', 'image-lookup', 'mysql']), '')
    assert.equal(
      await ok(['set', 'image-lookup', 'mysql', '--list']),
      'NAME   LOCAL\nmysql  true\n',
    )
    assert.equal(
      await ok(['set', 'image-lookup', 'mysql', '--enabled=false']),
      'imagestream.image.openshift.io/mysql image lookup updated\n',
    )
    assert.equal((await stream('mysql')).spec?.lookupPolicy?.local, false)
  })

  it('explain and api-resources print what kubectl prints', async () => {
    for (const args of [
      ['explain', 'is'],
      ['explain', 'is.spec.tags'],
      ['explain', 'istag', '--recursive'],
      ['explain', 'secret.type'],
      ['api-resources'],
      ['api-resources', '-o', 'wide'],
      ['api-resources', '--namespaced=false', '--api-group=image.openshift.io'],
    ]) {
      const ours = await suite.run(args)
      const theirs = await suite.kubectl(args)
      assert.equal(theirs.code, 0, theirs.stderr)
      assert.deepEqual(
        { code: ours.code, stdout: ours.stdout },
        { code: 0, stdout: theirs.stdout },
        args.join(' '),
      )
    }
    const missing = await suite.run(['explain', 'is.spec.nope'])
    assert.deepEqual(
      { code: missing.code, stderr: missing.stderr },
      { code: 1, stderr: 'error: field "nope" does not exist\n' },
    )
  })

  it('the bash completion script loads and completes stream and tag names through the API', async () => {
    await ok(['create', 'imagestream', 'complete-me'])
    await ok(['create', 'imagestreamtag', 'complete-me:v7', '--from-image=quay.io/a/c:7'])
    const bin = join(suite.home, 'bin')
    mkdirSync(bin)
    const wrapper = join(bin, 'isctl')
    writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${ISCTL_BIN}" "$@"\n`)
    chmodSync(wrapper, 0o755)
    const complete = async (words: readonly string[]) => {
      const program = `source <(isctl completion bash) || exit 3
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_isctl_completions
printf '%s\\n' "\${COMPREPLY[@]}"`
      const res = await runCommand('bash', ['-c', program], {
        env: { PATH: `${bin}:${process.env.PATH}`, HOME: suite.home, KUBECONFIG: suite.kubeconfig },
      })
      return res.stdout.split('\n').filter((l) => l !== '')
    }
    assert.deepEqual(await complete(['isctl', 'set', 'image-lookup', 'complete-']), ['complete-me'])
    assert.deepEqual(await complete(['isctl', 'get', 'is', 'comp']), ['complete-me'])
    // bash splits `complete-me:v` at the colon; the script joins it back and completes the tag.
    assert.deepEqual(await complete(['isctl', 'tag', 'complete-me', ':', 'v']), ['v7'])
    assert.deepEqual(await complete(['isctl', 'set', 'image-lo']), ['image-lookup'])
    assert.ok((await complete(['isctl', 'apply', '--ser'])).includes('--server-side'))
  })
})
