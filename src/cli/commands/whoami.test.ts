import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { userObject, whoamiMode, type WhoamiFlags } from './whoami.js'

void describe('whoamiMode', () => {
  const cases: [WhoamiFlags, string][] = [
    [{}, 'user'],
    [{ output: 'json' }, 'json'],
    [{ output: 'yaml' }, 'yaml'],
    [{ showServer: true }, 'server'],
    [{ showContext: true, showServer: true }, 'context'],
    [{ showToken: true, showContext: true }, 'token'],
  ]
  for (const [flags, want] of cases) {
    void it(`${JSON.stringify(flags)} -> ${want}`, () => assert.equal(whoamiMode(flags), want))
  }
  const bad: [WhoamiFlags, RegExp][] = [
    [
      { output: 'wide' },
      /^unable to match a printer suitable for the output format "wide", allowed formats are: json,yaml$/,
    ],
    [
      { output: 'json', showToken: true },
      /^--output cannot be used with --show-token, --show-context, or --show-server$/,
    ],
  ]
  for (const [flags, message] of bad) {
    void it(`refuses ${JSON.stringify(flags)}`, () =>
      assert.throws(() => whoamiMode(flags), { name: 'UsageError', message }))
  }
})

void describe('userObject', () => {
  void it("is oc's User", () =>
    assert.deepEqual(userObject({ username: 'admin', groups: ['g'] }), {
      apiVersion: 'user.openshift.io/v1',
      kind: 'User',
      metadata: { creationTimestamp: null, name: 'admin' },
      groups: ['g'],
      identities: null,
    }))
})
