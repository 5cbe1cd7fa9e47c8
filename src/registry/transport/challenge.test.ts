import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseChallenges, pickChallenge, scopesOf } from './challenge.js'

describe('parseChallenges', () => {
  const cases: { name: string; input: string | string[]; want: unknown }[] = [
    {
      name: 'distribution bearer with scope',
      input:
        'Bearer realm="https://127.0.0.1:1/token",service="testbed-registry",scope="repository:team/app:pull"',
      want: [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://127.0.0.1:1/token',
            service: 'testbed-registry',
            scope: 'repository:team/app:pull',
          },
        },
      ],
    },
    {
      name: 'mixed case scheme and parameter names',
      input: 'BEARER Realm="r",SERVICE="s"',
      want: [{ scheme: 'bearer', params: { realm: 'r', service: 's' } }],
    },
    {
      name: 'escaped quotes in a quoted value',
      input: 'Basic realm="he\\"l\\lo"',
      want: [{ scheme: 'basic', params: { realm: 'he"llo' } }],
    },
    {
      name: 'unquoted values',
      input: 'Bearer realm=https://a/token, service=reg',
      want: [{ scheme: 'bearer', params: { realm: 'https://a/token', service: 'reg' } }],
    },
    {
      name: 'two challenges on one line',
      input: 'Basic realm="x", Bearer realm="y",service="z"',
      want: [
        { scheme: 'basic', params: { realm: 'x' } },
        { scheme: 'bearer', params: { realm: 'y', service: 'z' } },
      ],
    },
    {
      name: 'several header lines including Negotiate',
      input: ['Negotiate', 'Basic realm="Artifactory Realm"'],
      want: [
        { scheme: 'negotiate', params: {} },
        { scheme: 'basic', params: { realm: 'Artifactory Realm' } },
      ],
    },
    {
      name: 'insufficient_scope error',
      input: 'Bearer realm="r",service="s",scope="repository:a:pull",error="insufficient_scope"',
      want: [
        {
          scheme: 'bearer',
          params: {
            realm: 'r',
            service: 's',
            scope: 'repository:a:pull',
            error: 'insufficient_scope',
          },
        },
      ],
    },
  ]
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(parseChallenges(c.input), c.want))
  }

  it('prefers Bearer, then Basic, and ignores other schemes', () => {
    assert.equal(pickChallenge(parseChallenges(['Negotiate', 'Basic realm="a"']))?.scheme, 'basic')
    assert.equal(
      pickChallenge(parseChallenges('Basic realm="a", Bearer realm="b"'))?.scheme,
      'bearer',
    )
    assert.equal(pickChallenge(parseChallenges('Negotiate')), undefined)
  })

  it('splits several scopes, including names with host:port', () => {
    const [c] = parseChallenges(
      'Bearer realm="r",scope="repository:a/b:pull repository(plugin):x:pull repository:h:5000/c:pull,push"',
    )
    assert.deepEqual(scopesOf(c), [
      'repository:a/b:pull',
      'repository(plugin):x:pull',
      'repository:h:5000/c:pull,push',
    ])
  })
})
