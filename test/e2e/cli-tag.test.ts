/**
 * `isctl tag` against a real `isctl serve` and a real plain-HTTP registry: a pull spec tagged
 * into a new stream and imported in the background, scheduled, local and cross-namespace tags,
 * an istag pinned to its image, an alias, the server's default mode when the flag is left out,
 * deleting, and oc's error texts with exit code 1 and nothing stored.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ImageStream, TagReference } from '../../src/api/index.js'
import { useRegistry, useServe } from '../harness/index.js'
import { pollUntil } from '../harness/process.js'

describe('isctl tag', () => {
  const env = useRegistry({ auth: 'none' })
  const suite = useServe()
  const ok = async (args: readonly string[]) => {
    const res = await suite.run(args)
    assert.equal(res.code, 0, `isctl ${args.join(' ')}: ${res.stderr}`)
    assert.equal(res.stderr, '')
    return res.stdout
  }
  const stream = async (name: string, namespace = 'default'): Promise<ImageStream> => {
    const res = await suite.kubectl(['get', 'is', name, '-n', namespace, '-o', 'json'])
    assert.equal(res.code, 0, res.stderr)
    return JSON.parse(res.stdout) as ImageStream
  }
  const specTag = async (name: string, tag: string, namespace = 'default') => {
    const found = (await stream(name, namespace)).spec?.tags?.find((t) => t.name === tag)
    assert.ok(found, `spec tag ${namespace}/${name}:${tag}`)
    return found
  }
  /** The image an istag points at, once the background import has landed. */
  const imported = async (istag: string, namespace = 'default') => {
    let image = ''
    await pollUntil(`${namespace}/${istag} to be imported`, async () => {
      const res = await suite.kubectl([
        'get',
        'istag',
        istag,
        '-n',
        namespace,
        '-o',
        'jsonpath={.image.metadata.name}',
      ])
      image = res.code === 0 ? res.stdout : ''
      return image !== ''
    })
    return image
  }
  const fails = async (args: readonly string[], stderr: string) => {
    const res = await suite.run(args)
    assert.deepEqual(
      { code: res.code, stdout: res.stdout, stderr: res.stderr },
      { code: 1, stdout: '', stderr: `${stderr}\n` },
    )
  }

  it('tags a pull spec into a new stream; the server imports it in the background', async () => {
    const src = env.fx.dockerSingle.reference
    assert.equal(await ok(['tag', '--insecure', src, 'tool:1.0']), `Tag tool:1.0 set to ${src}.\n`)
    assert.equal(await imported('tool:1.0'), env.fx.dockerSingle.digest)
    const tag = await specTag('tool', '1.0')
    assert.deepEqual(
      { from: tag.from, importPolicy: tag.importPolicy, referencePolicy: tag.referencePolicy },
      {
        from: { kind: 'DockerImage', name: src },
        importPolicy: { insecure: true, importMode: 'Legacy' },
        referencePolicy: { type: 'Source' },
      },
    )
  })

  it('--scheduled=true prints the periodic text and is stored', async () => {
    const src = env.fx.ociSingle.reference
    assert.equal(
      await ok(['tag', '--scheduled=true', '--insecure', src, 'tool:sched']),
      `Tag tool:sched set to import ${src} periodically.\n`,
    )
    assert.deepEqual((await specTag('tool', 'sched')).importPolicy, {
      insecure: true,
      scheduled: true,
      importMode: 'Legacy',
    })
    assert.equal(await imported('tool:sched'), env.fx.ociSingle.digest)
  })

  it('--reference-policy=local is stored', async () => {
    const src = env.fx.ociSingle.reference
    assert.equal(
      await ok(['tag', '--insecure', '--reference-policy=local', src, 'tool:local']),
      `Tag tool:local set to ${src}.\n`,
    )
    assert.deepEqual((await specTag('tool', 'local')).referencePolicy, { type: 'Local' })
  })

  it('tags into another namespace', async () => {
    assert.equal((await suite.kubectl(['create', 'namespace', 'team'])).code, 0)
    const src = env.fx.ociSingle.reference
    assert.equal(
      await ok(['tag', '--insecure', src, 'team/app:1', 'team/app:2']),
      `Tag team/app:1 set to ${src}.\nTag team/app:2 set to ${src}.\n`,
    )
    assert.equal(
      await ok(['tag', '--insecure', '--scheduled', src, 'team/app:3']),
      `Tag team/app:3 set to ${src} periodically.\n`,
    )
    assert.equal(await imported('app:2', 'team'), env.fx.ociSingle.digest)
  })

  it('pins an istag to its current image, and --alias tracks the tag', async () => {
    const digest = await imported('tool:1.0')
    assert.equal(await ok(['tag', 'tool:1.0', 'copy:1']), `Tag copy:1 set to tool@${digest}.\n`)
    assert.deepEqual((await specTag('copy', '1')).from, {
      kind: 'ImageStreamImage',
      name: `tool@${digest}`,
    })
    assert.equal(
      await ok(['tag', '--alias', 'tool:1.0', 'tool:latest']),
      'Tag tool:latest set up to track tool:1.0.\n',
    )
    assert.deepEqual((await specTag('tool', 'latest')).from, {
      kind: 'ImageStreamTag',
      name: 'tool:1.0',
    })
    assert.equal(
      await ok(['tag', '-n', 'team', 'default/tool:1.0', 'copy:2']),
      `Tag copy:2 set to default/tool@${digest}.\n`,
    )
    assert.deepEqual((await specTag('copy', '2', 'team')).from, {
      kind: 'ImageStreamImage',
      name: `tool@${digest}`,
      namespace: 'default',
    })
  })

  it('sets the server default mode when --import-mode is left out, as oc does', async () => {
    const list = env.fx.ociIndex
    const amd64 = list.children.find(
      (c) => c.platform.os === 'linux' && c.platform.architecture === 'amd64',
    )!.digest
    const mode = async () => (await specTag('multi', 'v1')).importPolicy?.importMode
    assert.equal(
      await ok(['tag', '--insecure', '--import-mode=PreserveOriginal', list.reference, 'multi:v1']),
      `Tag multi:v1 set to ${list.reference}.\n`,
    )
    assert.equal(await mode(), 'PreserveOriginal')
    assert.equal(await imported('multi:v1'), list.digest)
    assert.equal(
      await ok(['tag', '--insecure', list.reference, 'multi:v1']),
      `Tag multi:v1 set to ${list.reference}.\n`,
    )
    assert.equal(await mode(), 'Legacy')
    await pollUntil('multi:v1 to become its linux/amd64 image', async () => {
      const res = await suite.kubectl([
        'get',
        'istag',
        'multi:v1',
        '-o',
        'jsonpath={.image.metadata.name}',
      ])
      return res.stdout === amd64
    })
    await ok(['tag', '--insecure', '--import-mode=PreserveOriginal', list.reference, 'multi:v1'])
    assert.equal(await mode(), 'PreserveOriginal')
  })

  it('-d deletes spec tags and their history', async () => {
    assert.equal(
      await ok(['tag', '-d', 'tool:sched', 'team/app:3']),
      'Deleted tag default/tool:sched.\nDeleted tag team/app:3.\n',
    )
    const names = (await stream('tool')).spec?.tags?.map((t: TagReference) => t.name)
    assert.deepEqual(names?.includes('sched'), false)
    await fails(
      ['tag', '-d', 'nothere:x'],
      'Error from server (NotFound): imagestreams.image.openshift.io "nothere" not found',
    )
    await fails(
      ['tag', '-d', 'tool:sched'],
      'Error from server (NotFound): imagestreamtags.image.openshift.io "tool:sched" not found',
    )
  })

  it("prints oc's errors, exits 1 and stores nothing", async () => {
    const src = env.fx.ociSingle.reference
    await imported('tool:local')
    const before = await stream('tool')
    await fails(
      ['tag', '--alias', '-d', 'tool:1.0'],
      'error: --alias and --delete may not be both specified',
    )
    await fails(
      ['tag', '--insecure', src, 'tool:-bad'],
      `error: invalid tag "-bad" format, tags must start with an alphanumeric character followed by alphanumeric, '.' or '-' characters, and have a maximum of 128 characters`,
    )
    await fails(
      ['tag', '--insecure', '--import-mode=preserve', src, 'tool:x'],
      'error: valid ImportMode values are Legacy or PreserveOriginal',
    )
    await fails(
      ['tag', 'tool:nope', 'tool:x'],
      'error: "tool:nope" is not currently pointing to an image, cannot use it as the source of a tag',
    )
    await fails(
      ['tag', '--scheduled', 'tool:1.0', 'tool:x'],
      'error: only container images can have importing flags set',
    )
    await fails(
      ['tag', '--alias', 'tool:1.0', 'copy:x'],
      'error: cannot set alias across different Image Streams',
    )
    await fails(
      ['tag', '--reference-policy=Local', src, 'tool:x'],
      "error: reference policy must be set to 'source' or 'local'",
    )
    await fails(
      ['tag', '-d', '--insecure', 'tool:1.0'],
      'error: cannot set flags for importing images when deleting a tag',
    )
    await fails(['tag', src], 'error: at least a destination is required')
    const after = await stream('tool')
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion)
  })
})
