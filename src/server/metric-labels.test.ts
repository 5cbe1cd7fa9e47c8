import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { canonicalHost, OTHER_REGISTRY, RegistryLabels } from './metric-labels.js'

describe('canonicalHost', () => {
  const cases: [string, string | undefined][] = [
    ['127.0.0.1:15000', '127.0.0.1:15000'],
    ['0x7f.1:15000', '127.0.0.1:15000'],
    ['2130706433:15000', '127.0.0.1:15000'],
    ['0177.0.0.1:15000', '127.0.0.1:15000'],
    ['127.1:15000', '127.0.0.1:15000'],
    ['[0:0:0:0:0:0:0:1]:5000', '[::1]:5000'],
    ['[2001:DB8:0:0:0:0:0:1]', '[2001:db8::1]'],
    ['Quay.IO', 'quay.io'],
    ['quay.io:443', 'quay.io'],
    ['quay.io:0443', 'quay.io'],
    ['registry.example:5000', 'registry.example:5000'],
    ['docker.io', 'docker.io'],
    ['', undefined],
    ['a b', undefined],
    ['host/path', undefined],
    ['user@host', undefined],
    ['host:99999', undefined],
    ['[not-ipv6]', undefined],
  ]
  for (const [input, want] of cases) {
    it(`spells ${JSON.stringify(input)} as ${String(want)}`, () => {
      assert.equal(canonicalHost(input), want)
    })
  }
})

describe('RegistryLabels', () => {
  it('labels hosts past the cap, and hosts that do not parse, as other', () => {
    const labels = new RegistryLabels(2)
    assert.deepEqual(
      ['a.example', 'B.example', 'c.example', 'A.EXAMPLE', 'b.example:443', 'bad host'].map((h) =>
        labels.label(h),
      ),
      ['a.example', 'b.example', OTHER_REGISTRY, 'a.example', 'b.example', OTHER_REGISTRY],
    )
  })
})
