/**
 * `isctl import-image` end to end: the built CLI against a real `isctl serve`, importing from a
 * real Basic-auth registry through a namespace pull secret and from a plain-HTTP registry.
 * Asserts what a user sees (stdout, stderr, exit code; times normalised) and, through kubectl,
 * what was stored: creation with and without --confirm, manifest lists in both import modes and
 * the switch between them, a mode kept when --import-mode is left out, --all, failing tags,
 * auth failures naming the secret, --insecure, --reference-policy, --scheduled and --dry-run.
 */
import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { pullSecretArgs, useRegistry, useServe } from '../harness/index.js'

interface StoredStream {
  spec: {
    tags: {
      name: string
      from: { name: string }
      importPolicy?: { importMode?: string; scheduled?: boolean; insecure?: boolean }
      referencePolicy?: { type?: string }
    }[]
  }
  status: { tags?: { tag: string; items?: { image: string }[] }[] }
}

/** normalise replaces what changes from run to run: ages and RFC 3339 times. */
function normalise(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, '<time>')
    .replace(
      /(Less than a second|About a minute|About an hour|\d+ (?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)) ago/g,
      '<age> ago',
    )
}

describe('isctl import-image', () => {
  const basic = useRegistry({ auth: 'basic', users: { alice: 'alice-pass' } })
  const plain = useRegistry({ auth: 'none' })
  const suite = useServe(() => ['--additional-trusted-ca', basic.reg.ca!.caCertPath])
  const run = (args: readonly string[]) => suite.run(['-n', 'demo', 'import-image', ...args])
  const kubectlOk = async (args: readonly string[]) => {
    const res = await suite.kubectl(args)
    assert.equal(res.code, 0, `kubectl ${args.join(' ')}: ${res.stderr}`)
    return res.stdout
  }
  const stored = async (name: string, namespace = 'demo') =>
    JSON.parse(await kubectlOk(['get', 'is', name, '-n', namespace, '-o', 'json'])) as StoredStream
  const tagOf = (s: StoredStream, tag: string) => ({
    spec: s.spec.tags.find((t) => t.name === tag),
    image: s.status.tags?.find((t) => t.tag === tag)?.items?.[0]?.image,
  })
  const pullSecret = (namespace: string, name: string, password: string) =>
    kubectlOk(
      pullSecretArgs({ name, namespace, server: basic.reg.host, username: 'alice', password }),
    )

  before(async () => {
    await kubectlOk(['create', 'namespace', 'demo'])
    await kubectlOk(['create', 'namespace', 'locked'])
    await pullSecret('demo', 'pull', 'alice-pass')
    await pullSecret('locked', 'wrong', 'not-the-password')
  })

  it('refuses a new stream without --confirm and creates nothing', async () => {
    const res = await run(['app', `--from=${basic.fx.ociSingle.reference}`])
    assert.equal(res.code, 1)
    assert.equal(res.stdout, '')
    assert.equal(
      res.stderr,
      'error: no image stream named "app" exists, pass --confirm to create and import\n',
    )
    const get = await suite.kubectl(['get', 'is', 'app', '-n', 'demo'])
    assert.equal(get.code, 1)
    assert.match(get.stderr, /NotFound/)
  })

  it('creates the stream with --confirm and prints it as oc does', async () => {
    const image = basic.fx.ociSingle
    const ref = image.reference
    const repo = ref.slice(0, ref.lastIndexOf(':'))
    const res = await run(['app', `--from=${ref}`, '--confirm'])
    assert.equal(res.stderr, '')
    assert.equal(res.code, 0)
    const [layer1, layer2] = image.layers
    assert.equal(
      normalise(res.stdout).replace(/^(Image Repository:\t)[^/]+/m, '$1<registry>'),
      [
        'imagestream.image.openshift.io/app imported',
        '',
        'Name:\t\t\tapp',
        'Namespace:\t\tdemo',
        'Created:\t\t<age> ago',
        'Labels:\t\t\t<none>',
        'Annotations:\t\topenshift.io/image.dockerRepositoryCheck=<time>',
        'Image Repository:\t<registry>/demo/app',
        'Image Lookup:\t\tlocal=false',
        'Unique Images:\t\t1',
        'Tags:\t\t\t1',
        '',
        'latest',
        `  tagged from ${ref}`,
        '',
        `  * ${repo}@${image.digest}`,
        '      <age> ago',
        '',
        'Image Name:\tapp:latest',
        `Docker Image:\t${repo}@${image.digest}`,
        `Name:\t\t${image.digest}`,
        'Annotations:\timage.openshift.io/dockerLayersOrder=ascending',
        'Image Size:\t1.294kB in 2 layers',
        `Layers:\t\t162B\t${layer1!.digest}`,
        `\t\t211B\t${layer2!.digest}`,
        'Image Created:\t<age> ago',
        'Author:\t\timagestreams test harness <harness@example.invalid>',
        'Arch:\t\tamd64',
        'Entrypoint:\t/opt/tool/entrypoint',
        'Command:\t--serve',
        'Working Dir:\t/opt/tool',
        'User:\t\t1001',
        'Exposes Ports:\t8080/tcp',
        'Docker Labels:\tio.imagestreams.fixture.platform=linux/amd64',
        '\t\torg.opencontainers.image.title=tool',
        'Environment:\tPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        '\t\tFIXTURE_PLATFORM=linux/amd64',
        '',
        '',
        '',
      ].join('\n'),
    )
    assert.equal(tagOf(await stored('app'), 'latest').image, image.digest)
  })

  it('imports a manifest list with PreserveOriginal: Arch <none> and the Manifests lines', async () => {
    const list = basic.fx.ociIndex
    const res = await run([
      'multi:v1',
      `--from=${list.reference}`,
      '--import-mode=PreserveOriginal',
      '--confirm',
    ])
    assert.equal(res.stderr, '')
    assert.equal(res.code, 0)
    const out = normalise(res.stdout)
    assert.match(out, /^imagestream\.image\.openshift\.io\/multi imported\n\n/)
    assert.ok(out.includes(`Image Name:\tmulti:v1\n`))
    assert.ok(out.includes(`Name:\t\t${list.digest}\n`))
    assert.ok(out.includes('Arch:\t\t<none>\n'))
    const platforms = list.children.map((c) =>
      [c.platform.os, c.platform.architecture, c.platform.variant].filter(Boolean).join('/'),
    )
    const manifests = list.children.map(
      (c, i) => `${i === 0 ? 'Manifests:' : '\t'}\t${platforms[i]}\t${c.digest}\n`,
    )
    assert.ok(out.includes(manifests.join('')), out)
    const tag = tagOf(await stored('multi'), 'v1')
    assert.equal(tag.spec?.importPolicy?.importMode, 'PreserveOriginal')
    assert.equal(tag.image, list.digest)
  })

  it('--import-mode=Legacy turns the list into the child for the server platform, and keeps it', async () => {
    const list = basic.fx.ociIndex
    const amd64 = list.children.find(
      (c) => c.platform.os === 'linux' && c.platform.architecture === 'amd64',
    )!
    const res = await run(['multi:v1', '--import-mode=Legacy'])
    assert.equal(res.code, 0, res.stderr)
    assert.ok(res.stdout.includes(`Name:\t\t${amd64.digest}\n`))
    assert.ok(res.stdout.includes('Arch:\t\tamd64\n'))
    assert.ok(!res.stdout.includes('Manifests:'))
    let tag = tagOf(await stored('multi'), 'v1')
    assert.equal(tag.spec?.importPolicy?.importMode, 'Legacy')
    assert.equal(tag.image, amd64.digest)
    const again = await run(['multi:v1'])
    assert.equal(again.code, 0, again.stderr)
    tag = tagOf(await stored('multi'), 'v1')
    assert.equal(tag.spec?.importPolicy?.importMode, 'Legacy')
    assert.equal(tag.image, amd64.digest)
  })

  it('switches back with --import-mode=PreserveOriginal and keeps that mode without the flag', async () => {
    const list = basic.fx.ociIndex
    const back = await run(['multi:v1', '--import-mode=PreserveOriginal'])
    assert.equal(back.code, 0, back.stderr)
    assert.ok(back.stdout.includes('Arch:\t\t<none>\n'))
    const again = await run(['multi:v1'])
    assert.equal(again.code, 0, again.stderr)
    assert.ok(again.stdout.includes(`Name:\t\t${list.digest}\n`))
    assert.ok(again.stdout.includes('Manifests:\t'))
    const tag = tagOf(await stored('multi'), 'v1')
    assert.equal(tag.spec?.importPolicy?.importMode, 'PreserveOriginal')
    assert.equal(tag.image, list.digest)
  })

  it('rejects an unknown import mode with oc message', async () => {
    const res = await run(['multi:v1', '--import-mode=preserve'])
    assert.equal(res.code, 1)
    assert.equal(res.stdout, '')
    assert.equal(res.stderr, 'error: valid ImportMode values are Legacy or PreserveOriginal\n')
  })

  it('rejects a tag together with --all', async () => {
    const res = await run(['multi:v1', '--all'])
    assert.equal(res.code, 1)
    assert.equal(res.stderr, 'error: cannot specify a tag "multi:v1" as well as --all\n')
  })

  it('imports a repository with --all and lists the tags beyond the limit', async () => {
    const many = basic.fx.manyTags
    const res = await run([
      'many',
      `--from=${basic.reg.host}/${many.repository}`,
      '--all',
      '--confirm',
    ])
    assert.equal(res.stderr, '')
    assert.equal(res.code, 0)
    const out = normalise(res.stdout)
    assert.match(out, /^imagestream\.image\.openshift\.io\/many imported\n\n/)
    assert.ok(out.includes('Tags:\t\t\t50\n'))
    assert.equal(out.match(/^Image Name:\tmany:tag-\d+$/gm)?.length, 50)
    assert.ok(
      out.endsWith(
        `\ninfo: The remote repository contained 100 additional tags which were not imported: ${many.tags.slice(50).join(', ')}\n\n`,
      ),
    )
  })

  it('reports a tag that fails on stderr and exits 1', async () => {
    const from = `${basic.reg.host}/nope/missing`
    const res = await run(['broken', `--from=${from}`, '--confirm'])
    assert.equal(res.code, 1)
    assert.equal(
      res.stderr,
      `error: tag latest failed: dockerimage.image.openshift.io "${from}" not found\nerror: import completed with errors\n`,
    )
    const out = normalise(res.stdout)
    assert.match(out, /^imagestream\.image\.openshift\.io\/broken imported with errors\n\n/)
    assert.ok(
      out.includes(
        `  ! error: Import failed (NotFound): dockerimage.image.openshift.io "${from}" not found\n      <age> ago\n`,
      ),
    )
  })

  it('names the secret and key it tried when the registry refuses the credential', async () => {
    const res = await suite.run([
      '-n',
      'locked',
      'import-image',
      'app',
      `--from=${basic.fx.ociSingle.reference}`,
      '--confirm',
    ])
    assert.equal(res.code, 1)
    const { host } = basic.reg
    const image = basic.fx.ociSingle
    assert.equal(
      res.stderr,
      `error: tag latest failed: you may not have access to the container image "${image.reference}": authentication required to ${host}/${image.repository}: ${host} refused the credential from secret "locked/wrong", key "${host}" (HTTP 401)\nerror: import completed with errors\n`,
    )
  })

  it('imports over plain HTTP only with --insecure, and stores the flag', async () => {
    const from = `${plain.reg.host}/${plain.fx.ociSingle.repository}:${plain.fx.ociSingle.tag}`
    const refused = await run(['plain', `--from=${from}`, '--confirm'])
    assert.equal(refused.code, 1)
    assert.equal(
      refused.stderr,
      `error: tag latest failed: the repository ${plain.reg.host}/${plain.fx.ociSingle.repository} is HTTP only and requires the insecure flag to import\nerror: import completed with errors\n`,
    )
    const res = await run(['plain', '--insecure=true'])
    assert.equal(res.code, 0, res.stderr)
    assert.match(res.stdout, /^imagestream\.image\.openshift\.io\/plain imported\n\n/)
    assert.ok(res.stdout.includes('    will use insecure HTTPS or HTTP connections\n'))
    const tag = tagOf(await stored('plain'), 'latest')
    assert.equal(tag.spec?.importPolicy?.insecure, true)
    assert.equal(tag.image, plain.fx.ociSingle.digest)
  })

  it('stores --reference-policy=local and --scheduled=true', async () => {
    const res = await run([
      'local:v1',
      `--from=${basic.fx.dockerSingle.reference}`,
      '--reference-policy=LOCAL',
      '--scheduled=true',
      '--confirm',
    ])
    assert.equal(res.code, 0, res.stderr)
    assert.ok(res.stdout.includes('    prefer registry pullthrough when referencing this tag\n'))
    assert.ok(
      res.stdout.includes(
        `  updates automatically from registry ${basic.fx.dockerSingle.reference}\n`,
      ),
    )
    const tag = tagOf(await stored('local'), 'v1')
    assert.equal(tag.spec?.referencePolicy?.type, 'Local')
    assert.equal(tag.spec?.importPolicy?.scheduled, true)
    assert.equal(tag.image, basic.fx.dockerSingle.digest)
  })

  it('stores nothing on --dry-run', async () => {
    const image = basic.fx.dockerSingle
    const res = await run(['dry', `--from=${image.reference}`, '--confirm', '--dry-run'])
    assert.equal(res.code, 0, res.stderr)
    const out = normalise(res.stdout)
    assert.match(
      out,
      /^imagestream\.image\.openshift\.io\/dry imported \(dry run\)\n\nImage Name:\tdry:latest\n/,
    )
    assert.ok(out.includes(`Name:\t\t${image.digest}\n`))
    const get = await suite.kubectl(['get', 'is', 'dry', '-n', 'demo'])
    assert.equal(get.code, 1)
    assert.match(get.stderr, /NotFound/)
  })

  it('prints the stored stream with -o json', async () => {
    const res = await run(['app', '-o', 'json'])
    assert.equal(res.code, 0, res.stderr)
    const printed = JSON.parse(res.stdout) as StoredStream & { kind: string }
    assert.equal(printed.kind, 'ImageStream')
    assert.equal(tagOf(printed, 'latest').image, basic.fx.ociSingle.digest)
  })
})
