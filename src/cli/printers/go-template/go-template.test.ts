import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { executeTemplate } from './exec.js'
import { FUNCS, goSprintf } from './funcs.js'
import { lex } from './lexer.js'
import { parseTemplate } from './parser.js'

const FUNC_NAMES = new Set(Object.keys(FUNCS))

const data = {
  kind: 'ImageStream',
  metadata: { name: 'ruby', labels: { app: 'ruby', tier: 'backend' }, generation: 2, gone: null },
  spec: { tags: [{ name: '3.3' }, { name: 'latest' }], weight: 1.5 },
  data: { user: 'YWxpY2U=' },
}

const run = (text: string, missingKeyError = false) =>
  executeTemplate(parseTemplate('output', text, FUNC_NAMES), data, { missingKeyError })

describe('Go text/template as kubectl runs it', () => {
  it('lexes trim markers, comments and fields', () => {
    const types = lex('a {{- .x.y -}} b{{/* c */}}').map((i) => `${i.type}:${i.val}`)
    assert.deepEqual(types, [
      'text:a',
      'leftDelim:{{',
      'field:.x',
      'field:.y',
      'rightDelim:}}',
      'text:b',
      'comment:/* c */',
      'eof:',
    ])
  })

  it('runs pipelines, control structures, variables and functions', () => {
    const cases: [string, string][] = [
      ['{{.metadata.name}}', 'ruby'],
      ['{{.metadata.labels}}', 'map[app:ruby tier:backend]'],
      ['{{.spec.tags}}', '[map[name:3.3] map[name:latest]]'],
      [
        '{{.metadata.nope}} {{.metadata.gone}} {{.spec.foo.bar}}',
        '<no value> <no value> <no value>',
      ],
      ['{{range .spec.tags}}{{.name}},{{end}}', '3.3,latest,'],
      ['{{range $i, $t := .spec.tags}}{{$i}}:{{$t.name}} {{end}}', '0:3.3 1:latest '],
      ['{{range $k, $v := .metadata.labels}}{{$k}}={{$v}};{{end}}', 'app=ruby;tier=backend;'],
      ['{{range .nope}}x{{else}}empty{{end}}', 'empty'],
      ['{{range .spec.tags}}{{if eq .name "latest"}}{{break}}{{end}}{{.name}}{{end}}', '3.3'],
      ['{{if eq .metadata.name "ruby" "python"}}yes{{else}}no{{end}}', 'yes'],
      [
        '{{if gt .metadata.generation 1}}new{{else if eq .metadata.generation 1}}first{{end}}',
        'new',
      ],
      ['{{with .metadata.labels.tier}}{{.}}{{else}}none{{end}}', 'backend'],
      ['{{with .metadata.nope}}{{.}}{{else with .kind}}{{.}}{{end}}', 'ImageStream'],
      ['{{$n := len .spec.tags}}{{$n}} {{$n = 5}}{{$n}}', '2 5'],
      ['{{index .spec.tags 1 "name"}} {{index .metadata.labels "app"}}', 'latest ruby'],
      ['{{.data.user | base64decode}}', 'alice'],
      [
        '{{printf "%s-%d-%q-%v-%5s|%-4d|" .kind .metadata.generation "x" .spec.weight "ab" 7}}',
        'ImageStream-2-"x"-1.5-   ab|7   |',
      ],
      ['{{print 1 2 "a" 3}} {{println "x" 1}}', '1 2a3 x 1\n'],
      ['{{and .kind .nope}}|{{or .nope .kind}}|{{not .kind}}', '<no value>|ImageStream|false'],
      ['{{exists . "metadata" "labels" "app"}} {{exists . "spec" "tags" 5}}', 'true false'],
      ['{{len .kind}} {{len .metadata.labels}}', '11 2'],
      ['{{- "  a  " -}}  {{ "b" }}', '  a  b'],
      ['{{(index .spec.tags 0).name}}', '3.3'],
      ['{{.spec.weight}} {{lt 1.2 .spec.weight}}', '1.5 true'],
      ['{{printf "%T %T %T" 1 .metadata.generation 1.0}}', 'int int64 float64'],
    ]
    for (const [text, want] of cases) assert.equal(run(text), want, text)
  })

  it("fails to parse with Go's messages", () => {
    const cases: [string, string][] = [
      ['{{.foo}', "template: output:1: bad character U+007D '}'"],
      ['{{.foo', 'template: output:1: unclosed action'],
      ['{{nope .x}}', 'template: output:1: function "nope" not defined'],
      ['{{if .x}}', 'template: output:1: unexpected EOF'],
      ['{{end}}', 'template: output:1: unexpected {{end}}'],
      ['{{$x}}', 'template: output:1: undefined variable "$x"'],
      ['{{break}}', 'template: output:1: {{break}} outside {{range}}'],
      ['{{.a | 3}}', 'template: output:1: non executable command in pipeline stage 2'],
      ['{{"a}}', 'template: output:1: unterminated quoted string'],
      ['a\n{{.x)}}', 'template: output:2: unexpected ")" in command'],
    ]
    for (const [text, message] of cases) {
      assert.throws(() => parseTemplate('output', text, FUNC_NAMES), { message }, text)
    }
  })

  it("fails to execute with Go's messages and positions", () => {
    const cases: [string, boolean, string][] = [
      [
        '{{.metadata.nope}}',
        true,
        'template: output:1:11: executing "output" at <.metadata.nope>: map has no entry for key "nope"',
      ],
      [
        '{{.x.y}}',
        true,
        'template: output:1:4: executing "output" at <.x.y>: map has no entry for key "x"',
      ],
      [
        '{{.metadata.gone.x}}',
        false,
        'template: output:1:11: executing "output" at <.metadata.gone.x>: nil pointer evaluating interface {}.x',
      ],
      [
        '{{.kind.x}}',
        false,
        'template: output:1:7: executing "output" at <.kind.x>: can\'t evaluate field x in type interface {}',
      ],
      [
        '{{index .spec.tags 7}}',
        false,
        'template: output:1:2: executing "output" at <index .spec.tags 7>: error calling index: index out of range: 7',
      ],
      [
        '{{lt .kind 1}}',
        false,
        'template: output:1:2: executing "output" at <lt .kind 1>: error calling lt: incompatible types for comparison',
      ],
      [
        '{{len}}',
        false,
        'template: output:1:2: executing "output" at <len>: wrong number of args for len: want 1 got 0',
      ],
      [
        '{{base64decode .metadata.generation}}',
        false,
        'template: output:1:24: executing "output" at <.metadata.generation>: wrong type for value; expected string; got int64',
      ],
      [
        '{{range .kind}}{{end}}',
        false,
        'template: output:1:8: executing "output" at <.kind>: range can\'t iterate over ImageStream',
      ],
    ]
    for (const [text, strict, message] of cases)
      assert.throws(() => run(text, strict), { message }, text)
  })

  it("formats as Go's fmt.Sprintf does, mistakes included", () => {
    assert.equal(goSprintf('%d %s', ['x']), '%!d(string=x) %!s(MISSING)')
    assert.equal(goSprintf('%v', [1, 'extra']), '1%!(EXTRA string=extra)')
    assert.equal(goSprintf('%05d|%x|%%', [42, 'hi']), '00042|6869|%')
    assert.equal(
      goSprintf('%T %T %d', [1, 2, 1], ['int', 'int64', 'float64']),
      'int int64 %!d(float64=1)',
    )
  })
})
