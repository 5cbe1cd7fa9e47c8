import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startFixture, TOKEN, type Fixture } from '../resources/testing/fixture.js'
import {
  hasImpersonationHeaders,
  impersonate,
  impersonateAttributes,
  impersonatedUser,
  impersonationTargets,
  splitServiceAccountUsername,
  type ImpersonationTarget,
} from './impersonation.js'
import {
  forbiddenError,
  hashToken,
  type Authorizer,
  type ResourceAttributes,
  type UserInfo,
} from './index.js'
import { StatusError } from '../status.js'

/** raw builds Node's rawHeaders (name, value pairs) from header lines. */
const raw = (...lines: [string, string][]): string[] => lines.flat()

void describe('hasImpersonationHeaders', () => {
  it('finds every impersonation header, in any case, and nothing else', () => {
    for (const name of [
      'Impersonate-User',
      'IMPERSONATE-GROUP',
      'impersonate-uid',
      'Impersonate-Extra-scopes',
    ]) {
      assert.equal(hasImpersonationHeaders(raw(['Accept', '*/*'], [name, 'x'])), true, name)
    }
    const others = raw(
      ['If-None-Match', '"1"'],
      ['Impersonate', 'x'],
      ['Impersonate-', 'x'],
      ['X-Impersonate-User', 'x'],
    )
    assert.equal(hasImpersonationHeaders(others), false)
    assert.equal(hasImpersonationHeaders([]), false)
  })
})

void describe('impersonationTargets', () => {
  const cases: [string, string[], ImpersonationTarget[]][] = [
    ['no headers', raw(['Authorization', 'Bearer x']), []],
    ['a user', raw(['Impersonate-User', 'alice']), [{ kind: 'User', name: 'alice' }]],
    [
      'a user and repeated groups, in order',
      raw(
        ['impersonate-group', 'devs'],
        ['Impersonate-User', 'alice'],
        ['IMPERSONATE-GROUP', 'ops'],
      ),
      [
        { kind: 'User', name: 'alice' },
        { kind: 'Group', name: 'devs' },
        { kind: 'Group', name: 'ops' },
      ],
    ],
    [
      'a comma inside one group header is part of its name, as Go reads it',
      raw(['Impersonate-User', 'alice'], ['Impersonate-Group', 'a, b']),
      [
        { kind: 'User', name: 'alice' },
        { kind: 'Group', name: 'a, b' },
      ],
    ],
    [
      'the first user header wins',
      raw(['Impersonate-User', 'alice'], ['Impersonate-User', 'carol']),
      [{ kind: 'User', name: 'alice' }],
    ],
    [
      'a service account',
      raw(['Impersonate-User', 'system:serviceaccount:team:builder']),
      [{ kind: 'ServiceAccount', namespace: 'team', name: 'builder' }],
    ],
    [
      'a service-account-like name that does not parse is a user',
      raw(['Impersonate-User', 'system:serviceaccount:Team:builder']),
      [{ kind: 'User', name: 'system:serviceaccount:Team:builder' }],
    ],
    [
      'extras (keys lower-cased and unescaped) and a uid',
      raw(
        ['Impersonate-User', 'alice'],
        ['Impersonate-Uid', '1234'],
        ['Impersonate-Extra-Scopes', 'view'],
        ['Impersonate-Extra-Scopes', 'edit'],
        ['Impersonate-Extra-example.com%2Fteam', 'blue'],
      ),
      [
        { kind: 'User', name: 'alice' },
        { kind: 'UserExtra', key: 'scopes', value: 'view' },
        { kind: 'UserExtra', key: 'scopes', value: 'edit' },
        { kind: 'UserExtra', key: 'example.com/team', value: 'blue' },
        { kind: 'UID', uid: '1234' },
      ],
    ],
    [
      'a malformed escape keeps the key as sent',
      raw(['Impersonate-User', 'alice'], ['Impersonate-Extra-a%zz', 'v']),
      [
        { kind: 'User', name: 'alice' },
        { kind: 'UserExtra', key: 'a%zz', value: 'v' },
      ],
    ],
  ]
  for (const [name, headers, want] of cases) {
    void it(name, () => assert.deepEqual(impersonationTargets(headers), want))
  }

  const refused: [string, string[], string][] = [
    [
      'a group without a user',
      raw(['Impersonate-Group', 'devs']),
      'requested [{Group  devs    }] without impersonating a user',
    ],
    [
      'an empty user with a uid and an extra',
      raw(['Impersonate-User', ''], ['Impersonate-Uid', 'u1'], ['Impersonate-Extra-k', 'v']),
      'requested [{UserExtra  v  authentication.k8s.io/v1  k} {UID  u1  authentication.k8s.io/v1  }] without impersonating a user',
    ],
  ]
  for (const [name, headers, message] of refused) {
    void it(`refuses ${name} with a 400`, () => {
      assert.throws(
        () => impersonationTargets(headers),
        (err: unknown) =>
          err instanceof StatusError && err.httpStatus === 400 && err.message === message,
      )
    })
  }
})

void describe('impersonatedUser', () => {
  const user = (name: string): ImpersonationTarget => ({ kind: 'User', name })
  const group = (name: string): ImpersonationTarget => ({ kind: 'Group', name })
  const cases: [string, ImpersonationTarget[], UserInfo][] = [
    [
      'a user gets system:authenticated',
      [user('alice')],
      { name: 'alice', groups: ['system:authenticated'] },
    ],
    [
      'given groups come first, then system:authenticated',
      [user('alice'), group('devs')],
      { name: 'alice', groups: ['devs', 'system:authenticated'] },
    ],
    [
      'system:authenticated is not repeated',
      [user('alice'), group('system:authenticated')],
      { name: 'alice', groups: ['system:authenticated'] },
    ],
    [
      'system:unauthenticated keeps system:authenticated out',
      [user('alice'), group('system:unauthenticated')],
      { name: 'alice', groups: ['system:unauthenticated'] },
    ],
    [
      'system:anonymous gets system:unauthenticated',
      [user('system:anonymous')],
      { name: 'system:anonymous', groups: ['system:unauthenticated'] },
    ],
    [
      'a service account gets its groups',
      [{ kind: 'ServiceAccount', namespace: 'team', name: 'builder' }],
      {
        name: 'system:serviceaccount:team:builder',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'],
      },
    ],
    [
      'a service account with given groups gets only those',
      [{ kind: 'ServiceAccount', namespace: 'team', name: 'builder' }, group('devs')],
      { name: 'system:serviceaccount:team:builder', groups: ['devs', 'system:authenticated'] },
    ],
    [
      'uid and extras',
      [
        user('alice'),
        { kind: 'UID', uid: 'u1' },
        { kind: 'UserExtra', key: 'scopes', value: 'a' },
        { kind: 'UserExtra', key: 'scopes', value: 'b' },
      ],
      { name: 'alice', groups: ['system:authenticated'], uid: 'u1', extra: { scopes: ['a', 'b'] } },
    ],
  ]
  for (const [name, targets, want] of cases) {
    void it(name, () => assert.deepEqual(impersonatedUser(targets), want))
  }
})

void describe('impersonateAttributes', () => {
  const cases: [ImpersonationTarget, Omit<ResourceAttributes, 'kind' | 'verb'>][] = [
    [
      { kind: 'User', name: 'alice' },
      { group: '', resource: 'users', name: 'alice' },
    ],
    [
      { kind: 'Group', name: 'devs' },
      { group: '', resource: 'groups', name: 'devs' },
    ],
    [
      { kind: 'ServiceAccount', namespace: 'team', name: 'builder' },
      { group: '', resource: 'serviceaccounts', namespace: 'team', name: 'builder' },
    ],
    [
      { kind: 'UserExtra', key: 'scopes', value: 'view' },
      {
        group: 'authentication.k8s.io',
        resource: 'userextras',
        subresource: 'scopes',
        name: 'view',
      },
    ],
    [
      { kind: 'UID', uid: 'u1' },
      { group: 'authentication.k8s.io', resource: 'uids', name: 'u1' },
    ],
  ]
  for (const [target, want] of cases) {
    void it(`${target.kind} -> impersonate ${want.resource}`, () =>
      assert.deepEqual(impersonateAttributes(target), {
        kind: 'resource',
        verb: 'impersonate',
        ...want,
      }))
  }
})

void describe('forbiddenError for an impersonation', () => {
  void it('names the resource without its subresource, as responsewriters.Forbidden', () => {
    const bob: UserInfo = { name: 'bob', groups: ['system:authenticated'] }
    const attrs = impersonateAttributes({ kind: 'UserExtra', key: 'scopes', value: 'view' })
    assert.equal(
      forbiddenError(bob, attrs, '').message,
      'userextras.authentication.k8s.io "view" is forbidden: User "bob" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope',
    )
  })
})

void describe('splitServiceAccountUsername', () => {
  const cases: [string, { namespace: string; name: string } | undefined][] = [
    ['system:serviceaccount:ns:sa', { namespace: 'ns', name: 'sa' }],
    ['system:serviceaccount:ns:sa.with.dots', { namespace: 'ns', name: 'sa.with.dots' }],
    ['system:serviceaccount:ns.dot:sa', undefined],
    ['system:serviceaccount:ns:sa:extra', undefined],
    ['system:serviceaccount:ns:', undefined],
    ['system:serviceaccount::sa', undefined],
    ['serviceaccount:ns:sa', undefined],
  ]
  for (const [username, want] of cases) {
    void it(username, () => assert.deepEqual(splitServiceAccountUsername(username), want))
  }
})

void describe('impersonate', () => {
  const bob: UserInfo = { name: 'bob', groups: ['system:authenticated'] }
  /** A fake authorizer that allows exactly the listed `resource/name` impersonations. */
  const allowing = (...allowed: string[]): Authorizer & { asked: string[] } => {
    const asked: string[] = []
    return {
      asked,
      authorize(_user, attrs) {
        const key = attrs.kind === 'resource' ? `${attrs.resource}/${attrs.name ?? ''}` : attrs.path
        asked.push(key)
        return Promise.resolve(
          allowed.includes(key) ? { allowed: true } : { allowed: false, reason: 'not on the list' },
        )
      },
      rulesFor: () => Promise.reject(new Error('not used')),
      allowedSubjects: () => Promise.reject(new Error('not used')),
    }
  }
  // The last column is 'none', 'user', or the `resource/name` refused.
  const cases: [string, string[], string[], string[], string][] = [
    ['no headers: nothing asked', [], [], [], 'none'],
    ['allowed user', raw(['Impersonate-User', 'alice']), ['users/alice'], ['users/alice'], 'user'],
    [
      'every target is asked, in order',
      raw(['Impersonate-User', 'alice'], ['Impersonate-Group', 'devs']),
      ['users/alice', 'groups/devs'],
      ['users/alice', 'groups/devs'],
      'user',
    ],
    [
      'the first refusal stops the checks',
      raw(
        ['Impersonate-User', 'alice'],
        ['Impersonate-Group', 'admins'],
        ['Impersonate-Group', 'devs'],
      ),
      ['users/alice', 'groups/devs'],
      ['users/alice', 'groups/admins'],
      'groups/admins',
    ],
    [
      'a service account is asked as serviceaccounts',
      raw(['Impersonate-User', 'system:serviceaccount:team:builder']),
      [],
      ['serviceaccounts/builder'],
      'serviceaccounts/builder',
    ],
  ]
  for (const [name, headers, allowed, wantAsked, want] of cases) {
    void it(name, async () => {
      const authorizer = allowing(...allowed)
      const result = await impersonate(bob, headers, authorizer)
      assert.deepEqual(authorizer.asked, wantAsked)
      if (want === 'none') return assert.equal(result, undefined)
      assert.ok(result)
      if (want === 'user') return assert.ok('user' in result)
      assert.ok('denied' in result)
      assert.equal(`${result.denied.attrs.resource}/${result.denied.attrs.name ?? ''}`, want)
      assert.equal(result.denied.reason, 'not on the list')
    })
  }
})

void describe('impersonation through the server', () => {
  let fx: Fixture
  before(async () => {
    fx = await startFixture(
      {},
      undefined,
      {},
      {
        tokens: [
          {
            sha256: hashToken('bob-token'),
            user: { name: 'bob', groups: ['system:authenticated'] },
          },
        ],
      },
    )
  })
  after(() => fx.close())

  const as = (token: string, headers: Record<string, string | string[]>) => ({
    authorization: `Bearer ${token}`,
    ...headers,
  })
  const whoami = (headers: Record<string, string | string[]>) =>
    fx.app.inject({
      method: 'POST',
      url: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: '{}',
    })
  const body = (text: string) => JSON.parse(text) as { status?: unknown; message?: string }
  const message = (text: string) => body(text).message

  void it('the admin acts as alice with her groups, uid and extras (kubectl auth whoami --as)', async () => {
    const res = await whoami(
      as(TOKEN, {
        'impersonate-user': 'alice',
        'impersonate-group': ['devs', 'ops'],
        'impersonate-uid': 'u-1',
        'impersonate-extra-scopes': 'view',
      }),
    )
    assert.equal(res.statusCode, 201, res.body)
    assert.deepEqual(body(res.body).status, {
      userInfo: {
        username: 'alice',
        uid: 'u-1',
        groups: ['devs', 'ops', 'system:authenticated'],
        extra: { scopes: ['view'] },
      },
    })
  })

  void it('every later check sees the impersonated user', async () => {
    const listed = await fx.app.inject({
      url: '/apis/image.openshift.io/v1/namespaces/default/imagestreams',
      headers: as(TOKEN, { 'impersonate-user': 'alice' }),
    })
    assert.equal(listed.statusCode, 403)
    assert.equal(
      message(listed.body),
      'imagestreams.image.openshift.io is forbidden: User "alice" cannot list resource "imagestreams" in API group "image.openshift.io" in the namespace "default": only the admin user has access for now',
    )
    const canI = await fx.request({
      method: 'POST',
      url: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      headers: { 'impersonate-user': 'alice' },
      body: {
        spec: {
          resourceAttributes: {
            verb: 'get',
            resource: 'imagestreams',
            group: 'image.openshift.io',
            namespace: 'default',
          },
        },
      },
    })
    assert.equal(canI.statusCode, 201)
    assert.deepEqual(body(canI.body).status, {
      allowed: false,
      reason: 'only the admin user has access for now',
    })
    const masters = await fx.app.inject({
      url: '/apis/image.openshift.io/v1/namespaces/default/imagestreams',
      headers: as(TOKEN, { 'impersonate-user': 'alice', 'impersonate-group': 'system:masters' }),
    })
    assert.equal(masters.statusCode, 200, 'groups given are the impersonated user’s groups')
  })

  void it('logs the impersonator beside the user', async () => {
    await whoami(as(TOKEN, { 'impersonate-user': 'carol' }))
    const line = fx.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'request' && l.user === 'carol')
    assert.equal(line?.impersonator, 'admin')
  })

  const refused: [string, Record<string, string | string[]>, number, string][] = [
    [
      'bob may not impersonate a user',
      { 'impersonate-user': 'alice' },
      403,
      'users "alice" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope: only the admin user has access for now',
    ],
    [
      'bob may not impersonate a service account',
      { 'impersonate-user': 'system:serviceaccount:team:builder' },
      403,
      'serviceaccounts "builder" is forbidden: User "bob" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "team": only the admin user has access for now',
    ],
    [
      'bob may not impersonate himself into a group',
      { 'impersonate-user': 'bob', 'impersonate-group': 'system:masters' },
      403,
      'users "bob" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope: only the admin user has access for now',
    ],
    [
      'a group without a user',
      { 'impersonate-group': 'devs' },
      400,
      'requested [{Group  devs    }] without impersonating a user',
    ],
  ]
  for (const [name, headers, status, text] of refused) {
    void it(name, async () => {
      const token = status === 400 ? TOKEN : 'bob-token'
      const res = await whoami(as(token, headers))
      assert.equal(res.statusCode, status, res.body)
      assert.equal(message(res.body), text)
    })
  }
})
