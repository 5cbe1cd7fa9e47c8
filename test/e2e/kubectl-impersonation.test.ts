/**
 * Real kubectl against `isctl serve`: `--as`/`--as-group` impersonation (whoami, can-i) and a
 * SubjectAccessReview created from a file (docs/access-control.md#impersonation-and-access-reviews).
 * The policy is admin-only, so alice may do nothing but ask who she is.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { adminCredentials, httpRequest, makeAgent, succeeded, useServe } from '../harness/index.js'

void describe('kubectl --as against isctl serve', () => {
  const suite = useServe()
  const k = (args: readonly string[]) => suite.kubectl(args)

  void it('kubectl auth whoami --as alice --as-group devs shows alice with devs and system:authenticated', async () => {
    const out = await succeeded(
      k(['auth', 'whoami', '--as', 'alice', '--as-group', 'devs', '-o', 'json']),
    )
    const review = JSON.parse(out) as { status: { userInfo: unknown } }
    assert.deepEqual(review.status.userInfo, {
      username: 'alice',
      groups: ['devs', 'system:authenticated'],
    })
    const table = await succeeded(k(['auth', 'whoami', '--as', 'alice']))
    assert.match(table, /Username\s+alice/)
    assert.match(table, /Groups\s+\[system:authenticated\]/)
  })

  void it('kubectl auth can-i answers for the impersonated user', async () => {
    await succeeded(k(['create', 'namespace', 'team']))
    const cases: [string[], string][] = [
      [['get', 'is'], 'yes'],
      [['get', 'is', '--as', 'alice'], 'no'],
      [['create', 'imagestreams', '-n', 'team', '--as', 'alice'], 'no'],
      [
        ['create', 'imagestreams', '-n', 'team', '--as', 'alice', '--as-group', 'system:masters'],
        'yes',
      ],
      [['create', 'selfsubjectaccessreviews.authorization.k8s.io', '--as', 'alice'], 'yes'],
    ]
    for (const [args, answer] of cases) {
      const res = await k(['auth', 'can-i', ...args])
      // kubectl adds the authorizer's reason to a no: `no - only the admin user has access for now`.
      assert.equal(res.stdout.trim().split(' ')[0], answer, `${args.join(' ')}: ${res.stderr}`)
      assert.equal(res.code, answer === 'yes' ? 0 : 1, args.join(' '))
    }
  })

  void it('refuses what alice may not do, naming alice', async () => {
    const res = await k(['get', 'is', '-n', 'team', '--as', 'alice'])
    assert.notEqual(res.code, 0)
    assert.match(
      res.stderr,
      /imagestreams\.image\.openshift\.io is forbidden: User "alice" cannot list resource "imagestreams" in API group "image\.openshift\.io" in the namespace "team"/,
    )
  })

  void it('kubectl create -f of a SubjectAccessReview returns status.allowed', async () => {
    const file = join(suite.home, 'sar.json')
    const review = (user: string, groups: string[]) =>
      JSON.stringify({
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user,
          groups,
          resourceAttributes: {
            verb: 'get',
            group: 'image.openshift.io',
            resource: 'imagestreams',
            namespace: 'team',
          },
        },
      })
    writeFileSync(file, review('root', ['system:masters']))
    const allowed = JSON.parse(await succeeded(k(['create', '-f', file, '-o', 'json']))) as {
      status: unknown
    }
    assert.deepEqual(allowed.status, { allowed: true })
    writeFileSync(file, review('alice', []))
    const denied = JSON.parse(await succeeded(k(['create', '-f', file, '-o', 'json']))) as {
      status: { allowed: boolean }
    }
    assert.equal(denied.status.allowed, false)
  })

  void it('the integrated registry ignores impersonation headers', async () => {
    const creds = adminCredentials(suite.kubeconfig)
    const agent = makeAgent(creds.caPem)
    try {
      // A group without a user is a 400 on the API; /v2/ never reads the headers.
      const headers = { authorization: `Bearer ${creds.token}`, 'impersonate-group': 'devs' }
      const api = await httpRequest(`${creds.server}/version`, { headers, dispatcher: agent })
      assert.equal(api.status, 400)
      const registry = await httpRequest(`${creds.server}/v2/`, { headers, dispatcher: agent })
      assert.equal(registry.status, 200, registry.body.toString())
    } finally {
      await agent.close()
    }
  })
})
