import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { leadingWords, selectVerb } from './select-verb.js'

const PATHS = [
  ['get'],
  ['tag'],
  ['image', 'info'],
  ['create', 'secret', 'generic'],
  ['create', 'secret', 'docker-registry'],
  ['secrets', 'link'],
]

describe('selectVerb', () => {
  const cases: { args: string[]; want: string[] | undefined }[] = [
    { args: ['get', 'is'], want: ['get'] },
    { args: ['-n', 'team', 'get', 'is'], want: ['get'] },
    { args: ['--namespace', 'get', 'tag', 'a', 'b'], want: ['tag'] },
    { args: ['--kubeconfig=/k', 'tag', 'a', 'b'], want: ['tag'] },
    { args: ['--token', 'get', '-v', '6', '--as-group', 'x', 'tag', 'a'], want: ['tag'] },
    { args: ['-s', 'https://h', '--insecure-skip-tls-verify', 'get', 'is'], want: ['get'] },
    {
      args: ['create', 'secret', 'generic', 'x', '--from-file=a'],
      want: ['create', 'secret', 'generic'],
    },
    {
      args: ['create', 'secret', 'docker-registry', 'x'],
      want: ['create', 'secret', 'docker-registry'],
    },
    { args: ['create', 'secret'], want: undefined },
    { args: ['image', 'info', 'busybox'], want: ['image', 'info'] },
    { args: ['help', 'secrets', 'link'], want: ['secrets', 'link'] },
    { args: ['nope'], want: undefined },
    { args: ['--help'], want: undefined },
    { args: ['get', '--', 'tag'], want: ['get'] },
  ]
  for (const c of cases) {
    it(`${c.args.join(' ')} -> ${c.want?.join(' ') ?? 'none'}`, () => {
      assert.deepEqual(selectVerb(c.args, PATHS), c.want)
    })
  }
})

describe('leadingWords', () => {
  const cases: { args: string[]; want: string[] }[] = [
    { args: ['get', 'is', 'app', '-o', 'yaml'], want: ['get', 'is', 'app'] },
    { args: ['-n', 'team-a', 'serve'], want: ['serve'] },
    { args: ['--context=x', 'image', 'info', 'busybox'], want: ['image', 'info', 'busybox'] },
    { args: ['--help'], want: [] },
    { args: ['--', 'get'], want: [] },
  ]
  for (const c of cases) {
    it(`${c.args.join(' ')} -> ${c.want.join(' ') || 'none'}`, () => {
      assert.deepEqual(leadingWords(c.args), c.want)
    })
  }
})
