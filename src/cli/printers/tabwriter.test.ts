import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { tabwrite } from './tabwriter.js'

// Expected outputs follow Go's text/tabwriter rules (cell = text ended by a tab; a column block
// is a run of consecutive lines with a cell in that column; the last cell is never padded).
const cases: {
  name: string
  input: string
  minwidth?: number
  padding?: number
  padchar?: '\t'
  want: string
}[] = [
  {
    name: 'two columns align on the widest label plus padding',
    input: 'Name:\tx\nMedia Type:\ty\n',
    want: 'Name:       x\nMedia Type: y\n',
  },
  {
    name: 'an empty first cell is padded like the others',
    input: 'Env:\tA=1\n\tB=2\n',
    want: 'Env: A=1\n     B=2\n',
  },
  {
    name: 'a third column is sized over its own block only',
    input: 'Size:\t1MB\nLayers:\t1.5kB\tsha256:a\n\t--\tsha256:b\nOS:\tlinux\n',
    want: 'Size:   1MB\nLayers: 1.5kB sha256:a\n        --    sha256:b\nOS:     linux\n',
  },
  {
    name: 'a line without tabs ends every block',
    input: 'a:\t1\nlong label:\t2\n\nb:\t3\n',
    want: 'a:          1\nlong label: 2\n\nb: 3\n',
  },
  {
    name: 'widths count runes, not UTF-16 units',
    input: 'ü:\t1\n𝄞:\t2\nab:\t3\n',
    want: 'ü:  1\n𝄞:  2\nab: 3\n',
  },
  {
    name: 'minwidth applies when cells are narrower',
    input: 'a\tb\n',
    minwidth: 4,
    want: 'a   b\n',
  },
  {
    name: 'text without a trailing newline is written as is',
    input: 'k:\tv',
    want: 'k: v',
  },
  {
    name: 'an indented header table (oc manifest list choices)',
    input: '  OS\tDIGEST\n  linux/amd64\tsha256:a\n  linux/arm/v7\tsha256:b\n',
    want: '  OS           DIGEST\n  linux/amd64  sha256:a\n  linux/arm/v7 sha256:b\n',
  },
  {
    name: 'tab padding rounds each column up to the next tab stop (oc describe)',
    input: 'Name:\tx\nAnnotations:\ty\nImage Repository:\tz\n',
    padchar: '\t',
    want: 'Name:\t\t\tx\nAnnotations:\t\ty\nImage Repository:\tz\n',
  },
  {
    name: 'tab padding of an empty cell and of a second column',
    input: 'Manifests:\tlinux/amd64\tsha256:a\n\tlinux/ppc64le\tsha256:b\n',
    padchar: '\t',
    want: 'Manifests:\tlinux/amd64\tsha256:a\n\t\tlinux/ppc64le\tsha256:b\n',
  },
  {
    name: 'a cell filling its tab stop exactly still gets a whole tab of padding',
    input: '12345678\ta\n',
    padchar: '\t',
    want: '12345678\ta\n',
  },
]

void describe('tabwrite', () => {
  for (const c of cases) {
    void it(c.name, () => {
      const got = tabwrite(c.input, {
        minwidth: c.minwidth ?? 0,
        padding: c.padding ?? 1,
        ...(c.padchar && { padchar: c.padchar }),
      })
      assert.equal(got, c.want)
    })
  }
})
