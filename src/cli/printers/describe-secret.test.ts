import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Secret } from '../../api/core.js'
import { describeSecret } from './describe-secret.js'

const b64 = (text: string) => Buffer.from(text).toString('base64')
const CONFIG = '{"auths":{"quay.io":{"auth":"c2VjcmV0OnZhbHVl"}}}'

void describe('describeSecret', () => {
  void it('prints kubectl’s layout with sizes, never values', () => {
    const secret: Secret = {
      metadata: {
        name: 'pull',
        namespace: 'demo',
        labels: { team: 'a', app: 'x' },
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': b64(CONFIG) },
    }
    assert.equal(
      describeSecret(secret),
      [
        'Name:         pull',
        'Namespace:    demo',
        'Labels:       app=x',
        '              team=a',
        'Annotations:  <none>',
        '',
        'Type:  kubernetes.io/dockerconfigjson',
        '',
        'Data',
        '====',
        `.dockerconfigjson:  ${CONFIG.length} bytes`,
        '',
      ].join('\n'),
    )
  })

  const rows: [string, Secret, string | undefined][] = [
    [
      'an Opaque secret with .dockerconfigjson',
      { metadata: { name: 'seed' }, type: 'Opaque', data: { '.dockerconfigjson': b64(CONFIG) } },
      'Warning: secret "seed" has a .dockerconfigjson key but type Opaque, so imports ignore it; delete it and create it with type kubernetes.io/dockerconfigjson: isctl create secret generic seed --from-file=.dockerconfigjson=FILE --type=kubernetes.io/dockerconfigjson',
    ],
    [
      'an Opaque secret with .dockercfg',
      { metadata: { name: 'old' }, type: 'Opaque', data: { '.dockercfg': b64('{}') } },
      'Warning: secret "old" has a .dockercfg key but type Opaque, so imports ignore it; delete it and create it with type kubernetes.io/dockercfg: isctl create secret generic old --from-file=.dockercfg=FILE --type=kubernetes.io/dockercfg',
    ],
    [
      'a typed pull secret',
      {
        metadata: { name: 'ok' },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': b64(CONFIG) },
      },
      undefined,
    ],
    [
      'an Opaque secret of other keys',
      { metadata: { name: 'x' }, data: { a: b64('1') } },
      undefined,
    ],
  ]
  for (const [name, secret, warning] of rows) {
    void it(`warns about ${name}: ${warning ? 'yes' : 'no'}`, () => {
      const text = describeSecret(secret)
      const last = text.trimEnd().split('\n').at(-1)!
      if (warning) assert.equal(last, warning)
      else assert.ok(!text.includes('Warning'), text)
      assert.ok(!text.includes(CONFIG) && !text.includes(b64(CONFIG)))
    })
  }
})
