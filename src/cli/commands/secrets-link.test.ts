import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ServiceAccount } from '../../api/core.js'
import type { ResourceInfo } from '../../api/resources.js'
import type { ApiClient } from '../client/api-client.js'
import type { Target } from '../client/resource-path.js'
import { ApiError } from '../client/api-errors.js'
import type { Session } from '../client/session.js'
import { errorText } from '../report-error.js'
import {
  linkedAccount,
  misTypedWarnings,
  parseFor,
  parseSecretArgs,
  resourceArgName,
  runSecretsLink,
  runSecretsUnlink,
  unlinkedAccount,
} from './secrets-link.js'

void describe('parseFor', () => {
  const cases: [string[] | undefined, { pull: boolean; mount: boolean } | string][] = [
    [undefined, { pull: false, mount: true }],
    [['pull'], { pull: true, mount: false }],
    [['PULL,Mount'], { pull: true, mount: true }],
    [['pull', 'mount'], { pull: true, mount: true }],
    [[''], { pull: false, mount: true }],
    [['pull,bogus'], 'unknown for: bogus'],
  ]
  for (const [values, want] of cases) {
    it(JSON.stringify(values), () => {
      if (typeof want === 'string') assert.throws(() => parseFor(values), { message: want })
      else assert.deepEqual(parseFor(values), want)
    })
  }
})

void describe('operands', () => {
  it('needs a service account and at least one secret', () => {
    for (const operands of [[], ['default']]) {
      assert.throws(() => parseSecretArgs(operands), {
        message: 'must have service account name and at least one secret name',
      })
    }
  })
  it('accepts NAME, secret/NAME and secrets/NAME, nothing else', () => {
    assert.deepEqual(parseSecretArgs(['sa/builder', 'a', 'secret/b', 'secrets/c']), {
      serviceAccount: 'builder',
      secrets: ['a', 'secret/b', 'secrets/c'],
    })
    assert.throws(() => parseSecretArgs(['default', 'a', 'pod/x']), {
      message: 'expected resource of type secret, got "pod/x"',
    })
  })
  it('refuses TYPE/NAME forms kubectl refuses', () => {
    const cases: [string, string][] = [
      ['secret/a/b', 'arguments in resource/name form may not have more than one slash'],
      ['secret/', 'arguments in resource/name form must have a single resource and name'],
      ['pod/x', 'expected resource of type secret, got "pod/x"'],
    ]
    for (const [arg, message] of cases) {
      assert.throws(() => resourceArgName(arg, 'secret'), { message }, arg)
    }
    assert.equal(resourceArgName('serviceaccounts/x', 'serviceaccount'), 'x')
  })
})

const SA: ServiceAccount = {
  kind: 'ServiceAccount',
  apiVersion: 'v1',
  metadata: { name: 'default', namespace: 'ns', resourceVersion: '1' },
  secrets: [{ name: 'm1' }],
  imagePullSecrets: [{ name: 'p1' }],
}

void describe('linkedAccount and unlinkedAccount', () => {
  it('appends the missing names in sorted order to the chosen lists', () => {
    const got = linkedAccount(SA, new Set(['z', 'p1', 'a']), { pull: true, mount: false })
    assert.deepEqual(got?.imagePullSecrets, [{ name: 'p1' }, { name: 'a' }, { name: 'z' }])
    assert.deepEqual(got?.secrets, [{ name: 'm1' }])
    const both = linkedAccount(SA, new Set(['n']), { pull: true, mount: true })
    assert.deepEqual(both?.secrets, [{ name: 'm1' }, { name: 'n' }])
    assert.deepEqual(both?.imagePullSecrets, [{ name: 'p1' }, { name: 'n' }])
  })
  it('changes nothing when every name is already linked', () => {
    assert.equal(linkedAccount(SA, new Set(['p1']), { pull: true, mount: false }), undefined)
    assert.equal(linkedAccount(SA, new Set(['m1']), { pull: false, mount: true }), undefined)
  })
  it('unlinks from both lists, leaving empty lists out', () => {
    const got = unlinkedAccount(SA, new Set(['p1', 'm1']))
    assert.deepEqual(got, { kind: 'ServiceAccount', apiVersion: 'v1', metadata: SA.metadata })
    assert.equal(unlinkedAccount(SA, new Set(['other'])), undefined)
  })
})

/** fakeSession is an API server holding service accounts and secret names in namespace `ns`. */
function fakeSession(opts: { secrets: string[]; accounts: ServiceAccount[]; conflicts?: number }) {
  const accounts = new Map(opts.accounts.map((sa) => [sa.metadata.name!, structuredClone(sa)]))
  let conflicts = opts.conflicts ?? 0
  const updates: ServiceAccount[] = []
  const out = { stdout: '', stderr: '' }
  const notFound = (plural: string, name: string) =>
    new ApiError(404, 'NotFound', `${plural} "${name}" not found`)
  const client = {
    get(resource: ResourceInfo, target: Target) {
      const name = target.name!
      if (resource.plural === 'secrets') {
        return opts.secrets.includes(name)
          ? Promise.resolve({ kind: 'Secret', metadata: { name } })
          : Promise.reject(notFound('secrets', name))
      }
      const sa = accounts.get(name)
      return sa
        ? Promise.resolve(structuredClone(sa))
        : Promise.reject(notFound('serviceaccounts', name))
    },
    update(_resource: ResourceInfo, target: Target, body: ServiceAccount) {
      const current = accounts.get(target.name!)!
      if (conflicts > 0) {
        // Another writer got there first: it adds a pull secret and bumps the version.
        conflicts--
        current.imagePullSecrets = [...(current.imagePullSecrets ?? []), { name: 'theirs' }]
        current.metadata.resourceVersion = String(Number(current.metadata.resourceVersion) + 1)
      }
      if (body.metadata.resourceVersion !== current.metadata.resourceVersion) {
        return Promise.reject(new ApiError(409, 'Conflict', 'the object has been modified'))
      }
      const stored = {
        ...structuredClone(body),
        metadata: {
          ...body.metadata,
          resourceVersion: String(Number(current.metadata.resourceVersion) + 1),
        },
      }
      accounts.set(target.name!, stored)
      updates.push(stored)
      return Promise.resolve(structuredClone(stored))
    },
  } as unknown as ApiClient
  const session = {
    client,
    namespace: 'ns',
    namespaceExplicit: false,
    io: {
      stdout: { write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s) },
      env: {},
      now: () => new Date(0),
    },
  } as unknown as Session
  return { session, accounts, updates, out }
}

async function attempt(work: () => Promise<number>, out: { stderr: string }): Promise<number> {
  try {
    return await work()
  } catch (err) {
    out.stderr += `${errorText(err)}\n`
    return 1
  }
}

const BARE_SA: ServiceAccount = { metadata: { name: 'default', resourceVersion: '1' } }

void describe('runSecretsLink', () => {
  it('links silently, and a second time changes nothing', async () => {
    const f = fakeSession({ secrets: ['pull'], accounts: [BARE_SA] })
    assert.equal(await runSecretsLink(['default', 'secret/pull'], { for: ['pull'] }, f.session), 0)
    assert.equal(await runSecretsLink(['default', 'pull'], { for: ['pull'] }, f.session), 0)
    assert.deepEqual(f.out, { stdout: '', stderr: '' })
    assert.equal(f.updates.length, 1)
    assert.deepEqual(f.accounts.get('default')!.imagePullSecrets, [{ name: 'pull' }])
    assert.equal(f.accounts.get('default')!.secrets, undefined)
  })
  it('reports missing secrets; fails only when nothing was linked', async () => {
    const f = fakeSession({ secrets: ['pull'], accounts: [BARE_SA] })
    const first = await attempt(
      () => runSecretsLink(['default', 'pull', 'nope'], {}, f.session),
      f.out,
    )
    assert.equal(first, 0)
    assert.equal(f.out.stderr, 'secret "nope" not found\n')
    f.out.stderr = ''
    const again = await attempt(
      () => runSecretsLink(['default', 'pull', 'nope'], {}, f.session),
      f.out,
    )
    assert.equal(again, 1)
    assert.equal(f.out.stderr, 'secret "nope" not found\nerror: Some secrets could not be linked\n')
    f.out.stderr = ''
    const none = await attempt(
      () => runSecretsLink(['default', 'secret/nope'], {}, f.session),
      f.out,
    )
    assert.equal(none, 1)
    assert.equal(f.out.stderr, 'secret "secret/nope" not found\nerror: No valid secrets found\n')
  })
  it('fails on a missing service account as the server says, before reading secrets', async () => {
    const f = fakeSession({ secrets: [], accounts: [] })
    assert.equal(await attempt(() => runSecretsLink(['ghost', 'nope'], {}, f.session), f.out), 1)
    assert.equal(f.out.stderr, 'Error from server (NotFound): serviceaccounts "ghost" not found\n')
  })
  it('checks the operands before --for, and --for before the server', async () => {
    const f = fakeSession({ secrets: [], accounts: [] })
    assert.equal(
      await attempt(() => runSecretsLink(['x'], { for: ['bogus'] }, f.session), f.out),
      1,
    )
    assert.equal(
      await attempt(() => runSecretsLink(['x', 'y'], { for: ['bogus'] }, f.session), f.out),
      1,
    )
    assert.equal(
      f.out.stderr,
      'error: must have service account name and at least one secret name\nerror: unknown for: bogus\n',
    )
  })
  it('recomputes on a fresh copy after a conflict, keeping the other writer`s change', async () => {
    const f = fakeSession({ secrets: ['pull'], accounts: [BARE_SA], conflicts: 2 })
    assert.equal(await runSecretsLink(['default', 'pull'], { for: ['pull'] }, f.session), 0)
    assert.deepEqual(f.accounts.get('default')!.imagePullSecrets, [
      { name: 'theirs' },
      { name: 'theirs' },
      { name: 'pull' },
    ])
  })
  it('gives up after repeated conflicts with the server`s error', async () => {
    const f = fakeSession({ secrets: ['pull'], accounts: [BARE_SA], conflicts: 99 })
    assert.equal(await attempt(() => runSecretsLink(['default', 'pull'], {}, f.session), f.out), 1)
    assert.equal(f.out.stderr, 'Error from server (Conflict): the object has been modified\n')
  })
})

void describe('runSecretsUnlink', () => {
  const linked: ServiceAccount = {
    metadata: { name: 'default', resourceVersion: '1' },
    secrets: [{ name: 'a' }, { name: 'gone' }],
    imagePullSecrets: [{ name: 'a' }, { name: 'b' }],
  }
  it('unlinks from both lists and says the account was updated', async () => {
    const f = fakeSession({ secrets: ['a', 'b'], accounts: [linked] })
    assert.equal(await runSecretsUnlink(['default', 'a'], {}, f.session), 0)
    assert.deepEqual(f.out, { stdout: 'serviceaccount/default updated\n', stderr: '' })
    assert.deepEqual(f.accounts.get('default')!.secrets, [{ name: 'gone' }])
    assert.deepEqual(f.accounts.get('default')!.imagePullSecrets, [{ name: 'b' }])
  })
  it('unlinks a deleted secret but fails, as oc does', async () => {
    const f = fakeSession({ secrets: ['a', 'b'], accounts: [linked] })
    assert.equal(
      await attempt(() => runSecretsUnlink(['default', 'gone'], {}, f.session), f.out),
      1,
    )
    assert.equal(
      f.out.stderr,
      'secret "gone" not found\nerror: Unlinked deleted secrets from ns/default service account\n',
    )
    assert.deepEqual(f.accounts.get('default')!.secrets, [{ name: 'a' }])
  })
  it('fails when nothing was linked', async () => {
    const f = fakeSession({ secrets: ['c'], accounts: [linked] })
    assert.equal(await attempt(() => runSecretsUnlink(['default', 'c'], {}, f.session), f.out), 1)
    assert.equal(
      f.out.stderr,
      'error: No valid secrets found or secrets not linked to service account\n',
    )
    assert.equal(f.updates.length, 0)
  })
  it('prints the updated account with -o name', async () => {
    const f = fakeSession({ secrets: ['a', 'b'], accounts: [linked] })
    assert.equal(await runSecretsUnlink(['default', 'b'], { output: 'name' }, f.session), 0)
    assert.equal(f.out.stdout, 'serviceaccount/default\n')
  })
})

void describe('misTypedWarnings', () => {
  it('warns once per Opaque secret with a pull-secret key, naming no data', () => {
    const text = misTypedWarnings([
      { metadata: { name: 'seed' }, type: 'Opaque', data: { '.dockerconfigjson': 'c2VjcmV0' } },
      { metadata: { name: 'ok' }, type: 'kubernetes.io/dockercfg', data: { '.dockercfg': 'e30=' } },
      { metadata: { name: 'plain' }, type: 'Opaque', data: { token: 'c2VjcmV0' } },
    ])
    assert.equal(
      text,
      'Warning: secret "seed" has a .dockerconfigjson key but type Opaque, so imports ignore it; delete it and create it with type kubernetes.io/dockerconfigjson: isctl create secret generic seed --from-file=.dockerconfigjson=FILE --type=kubernetes.io/dockerconfigjson\n',
    )
  })
})
