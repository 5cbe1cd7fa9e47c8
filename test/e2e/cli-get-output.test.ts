/**
 * `isctl get`'s output options against real kubectl 1.32 on the same `isctl serve`: for a fixed
 * set of objects, every argument set below must print the same stdout and stderr and exit with
 * the same code from both programs (jsonpath, go-template, custom-columns, their file forms,
 * --sort-by, -L, --show-labels, --no-headers, and their error texts), and `get -w` /
 * `--watch-only` with a template print a change as it arrives.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ISCTL_BIN, succeeded, useServe } from '../harness/index.js'
import { pollUntil, trackChild } from '../harness/process.js'

const FIXTURES = [
  {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: {
      name: 'ruby',
      labels: { app: 'ruby', tier: 'backend' },
      annotations: { 'example.com/owner': 'team-a', note: 'a<b & c, café' },
    },
    spec: {
      lookupPolicy: { local: true },
      tags: [
        {
          name: '3.3',
          reference: true,
          from: { kind: 'DockerImage', name: 'quay.example.com/lang/ruby:3.3' },
        },
        { name: 'latest', from: { kind: 'ImageStreamTag', name: '3.3' } },
      ],
    },
  },
  {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 'alpha', labels: { app: 'alpha', size: '10' } },
    spec: { tags: [] },
  },
  {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 'zeta', labels: { app: 'zeta', tier: 'frontend', size: '9' } },
  },
  {
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: 'beta', labels: { app: 'beta', tier: 'backend', size: '2Ki' } },
  },
  {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'creds', labels: { app: 'ruby' } },
    type: 'Opaque',
    data: { user: 'YWxpY2U=', password: 'czNjcjN0' },
  },
]

/** The streams without an image tag: their tables have no age, which moves between two runs. */
const AGELESS = ['-l', 'app!=ruby']

describe('isctl get output options, next to kubectl', () => {
  const suite = useServe()

  it('prints what kubectl prints for each argument set', async () => {
    const version = await suite.kubectl(['version', '--client'])
    assert.equal(version.code, 0, `kubectl must be on PATH: ${version.stderr}`)
    assert.match(version.stdout, /Client Version: v1\.32\./)
    await succeeded(
      suite.kubectl(
        ['create', '-f', '-'],
        JSON.stringify({ apiVersion: 'v1', kind: 'List', items: FIXTURES }),
      ),
    )
    const dir = join(suite.home, 'templates')
    mkdirSync(dir, { recursive: true })
    const file = (name: string, text: string) => {
      const path = join(dir, name)
      writeFileSync(path, text)
      return path
    }
    const jsonpathFile = file('names.jsonpath', '{range .items[*]}{.metadata.name}{"\\n"}{end}')
    const templateFile = file(
      'names.tmpl',
      '{{range .items}}{{.metadata.name}}={{len .metadata.labels}}\n{{end}}',
    )
    const columnsFile = file('columns.txt', 'NAME   APP\n.metadata.name   {.metadata.labels.app}\n')
    const missing = join(dir, 'missing.txt')

    const cases: string[][] = [
      // JSONPath
      ['get', 'is', '-o', 'jsonpath={.items[*].metadata.name}'],
      [
        'get',
        'is',
        'ruby',
        '-o',
        'jsonpath={range .spec.tags[*]}{.name}{"\\t"}{.from.kind}{"\\n"}{end}',
      ],
      ['get', 'is', '-o', 'jsonpath={.items[?(@.metadata.name=="ruby")].metadata.labels}'],
      ['get', 'is', '-o', 'jsonpath={.items[0,2].metadata.name}'],
      ['get', 'is', '-o', "jsonpath={.items[*].metadata.annotations['example\\.com/owner']}"],
      ['get', 'is', '-o', 'jsonpath={.items[-1:].metadata.name} {.items[1:3].metadata.name}'],
      ['get', 'is', '-o', 'jsonpath-as-json={.items[*].metadata.name}'],
      ['get', 'is', 'ruby', '-o', 'jsonpath={.metadata.annotations}'],
      [
        'get',
        'is',
        '-o',
        'jsonpath={.items[*].spec.lookupPolicy.local} {.items[*].metadata.generation}',
      ],
      ['get', 'is', 'ruby', '-o', 'jsonpath={.spec.tags[?(@.reference==true)].name}'],
      ['get', 'is', 'ruby', '-o', 'jsonpath={.spec}'],
      ['get', 'is', '-o', `jsonpath-file=${jsonpathFile}`],
      ['get', 'is', 'ruby', '-o', 'jsonpath={.metadata.nope}'],
      ['get', 'is', '-o', 'jsonpath={.items[5]}'],
      ['get', 'is', '-o', 'jsonpath={.items['],
      [
        'get',
        'is',
        'ruby',
        '-o',
        'jsonpath={.metadata.nope}',
        '--allow-missing-template-keys=false',
      ],
      ['get', 'is', '-o', 'jsonpath'],
      ['get', 'is', '-o', `jsonpath-file=${missing}`],
      // Go templates
      ['get', 'is', '-o', 'go-template={{range .items}}{{.metadata.name}}{{"\\n"}}{{end}}'],
      [
        'get',
        'is',
        '-o',
        'go-template={{range .items}}{{if eq .metadata.name "ruby"}}{{len .spec.tags}}{{else}}-{{end}} {{end}}',
      ],
      [
        'get',
        'secret',
        'creds',
        '-o',
        'go-template={{.data.user | base64decode}} {{index .data "password" | base64decode}}',
      ],
      [
        'get',
        'is',
        '-o',
        'go-template={{range $i, $s := .items}}{{$i}}={{printf "%q" $s.metadata.name}} {{end}}',
      ],
      [
        'get',
        'is',
        'ruby',
        '-o',
        'go-template={{with .metadata.labels}}{{.tier}}{{else}}none{{end}} {{.spec.foo.bar}}',
      ],
      [
        'get',
        'is',
        '-o',
        'go-template={{range .items}}{{if and .spec.tags (gt (len .spec.tags) 1)}}{{.metadata.name}}{{end}}{{end}}',
      ],
      ['get', 'is', 'ruby', '-o', 'template={{.metadata.name}}'],
      ['get', 'is', 'ruby', '--template={{.kind}}/{{.metadata.name}}'],
      ['get', 'is', '-o', `go-template-file=${templateFile}`],
      [
        'get',
        'is',
        'ruby',
        '-o',
        'go-template={{.metadata.nope}}',
        '--allow-missing-template-keys=false',
      ],
      [
        'get',
        'is',
        '-o',
        'go-template={{range .items}}{{.metadata.name}} {{end}}{{.x.y}}',
        '--allow-missing-template-keys=false',
      ],
      ['get', 'is', 'ruby', '-o', 'go-template={{.foo}'],
      ['get', 'is', 'ruby', '-o', 'go-template={{nope .x}}'],
      ['get', 'is', 'ruby', '-o', 'go-template={{if .x}}'],
      ['get', 'is', 'ruby', '-o', 'go-template={{index .spec.tags 7}}'],
      ['get', 'is', 'ruby', '-o', 'go-template={{eq .metadata.generation "1"}}'],
      ['get', 'is', 'ruby', '-o', 'go-template={{eq .metadata.generation 1.0}}'],
      // custom columns
      [
        'get',
        'is',
        '-o',
        'custom-columns=NAME:.metadata.name,TAGS:.spec.tags[*].name,OWNER:{.metadata.annotations.note}',
      ],
      [
        'get',
        'is',
        '-o',
        'custom-columns=NAME:.metadata.name,SIZE:.metadata.labels.size',
        '--no-headers',
        '--sort-by=.metadata.labels.size',
      ],
      ['get', 'is', '-o', `custom-columns-file=${columnsFile}`],
      ['get', 'is', '-o', 'custom-columns=BAD'],
      ['get', 'is', '-o', 'custom-columns'],
      ['get', 'is', '-o', `custom-columns-file=${missing}`],
      // --sort-by
      ['get', 'is', '--sort-by=.metadata.resourceVersion', '-o', 'name'],
      [
        'get',
        'is',
        '--sort-by={.metadata.labels.tier}',
        '-o',
        'jsonpath={.items[*].metadata.name}',
      ],
      ['get', 'is', '--sort-by=.metadata.nope', '-o', 'name'],
      ['get', 'is', ...AGELESS, '--sort-by=.metadata.labels.size'],
      ['get', 'is', ...AGELESS, '--sort-by=.metadata.nope'],
      // labels, headers, formats
      ['get', 'is', ...AGELESS, '--show-labels'],
      ['get', 'is', ...AGELESS, '-L', 'app,tier', '-L', 'example.com/owner'],
      ['get', 'is', ...AGELESS, '--no-headers', '-o', 'wide'],
      ['get', 'is', '--show-labels', '-o', 'name'],
      ['get', 'is', '-o', 'foo'],
      ['get', 'is', 'nope', '-o', 'jsonpath={.metadata.name}'],
    ]
    assert.ok(cases.length >= 30)
    const differences: string[] = []
    for (const args of cases) {
      const ours = await suite.run(args)
      const theirs = await suite.kubectl(args)
      const label = args.join(' ')
      if (
        ours.code !== theirs.code ||
        ours.stdout !== theirs.stdout ||
        ours.stderr !== theirs.stderr
      ) {
        differences.push(
          `${label}\n  isctl (${ours.code}): ${JSON.stringify(ours.stdout)} ${JSON.stringify(ours.stderr)}\n` +
            `  kubectl (${theirs.code}): ${JSON.stringify(theirs.stdout)} ${JSON.stringify(theirs.stderr)}`,
        )
      }
    }
    assert.deepEqual(differences, [])
  })

  it('prints each change with a template under -w and --watch-only', async () => {
    await succeeded(
      suite.kubectl(
        ['create', '-f', '-'],
        JSON.stringify({
          apiVersion: 'image.openshift.io/v1',
          kind: 'ImageStream',
          metadata: { name: 'watched', labels: { stage: 'new' } },
        }),
      ),
    )
    const start = (args: string[]) => {
      const child = spawn(process.execPath, [ISCTL_BIN, ...args], {
        env: { PATH: process.env.PATH, HOME: suite.home, KUBECONFIG: suite.kubeconfig },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      trackChild(child)
      const state = { out: '', child }
      child.stdout.on('data', (b: Buffer) => (state.out += b.toString('utf8')))
      return state
    }
    const template = 'jsonpath={.metadata.name}:{.metadata.labels.stage}{"\\n"}'
    const watch = start(['get', 'is', 'watched', '-w', '-o', template])
    const only = start([
      'get',
      'is',
      '--watch-only',
      '-o',
      'go-template={{.metadata.name}}={{.metadata.labels.stage}};',
    ])
    try {
      await pollUntil('the first listing', () => Promise.resolve(watch.out === 'watched:new\n'))
      await succeeded(suite.kubectl(['label', 'is', 'watched', 'stage=done', '--overwrite']))
      await pollUntil('the change under -w', () =>
        Promise.resolve(watch.out.includes('watched:done\n')),
      )
      // --watch-only shows changes after its own first read, which may come after that label:
      // keep changing the stream until one shows.
      let round = 0
      await pollUntil(
        'a change under --watch-only',
        async () => {
          if (/watched=(done|again-\d+);/.test(only.out)) return true
          const label = `stage=again-${++round}`
          await succeeded(suite.kubectl(['label', 'is', 'watched', label, '--overwrite']))
          return false
        },
        { intervalMs: 500, timeoutMs: 60_000 },
      )
      assert.match(watch.out, /^watched:new\nwatched:done\n/)
      assert.ok(!only.out.includes('=new;'), `--watch-only printed the listing: ${only.out}`)
    } finally {
      watch.child.kill('SIGINT')
      only.child.kill('SIGINT')
    }
  })
})
