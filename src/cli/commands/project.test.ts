import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { contextNickname, missingProjectMessage, showMessage, switchMessage } from './project.js'

const S = 'https://127.0.0.1:8443'

void describe('contextNickname', () => {
  const cases: [string, string, string, string][] = [
    ['x', '127-0-0-1:8443', 'admin/127-0-0-1:8443', 'x/127-0-0-1:8443/admin'],
    ['x', 'kind-kind', 'kind-admin', 'x/kind-kind/kind-admin'],
  ]
  for (const [ns, cluster, user, want] of cases) {
    void it(want, () => assert.equal(contextNickname(ns, cluster, user), want))
  }
})

void describe('showMessage', () => {
  void it("names the server only under oc's context name", () =>
    assert.equal(
      showMessage({ project: 'a', contextName: 'a/c/u', nickname: 'a/c/u', server: S }),
      `Using project "a" on server "${S}".\n`,
    ))
  void it('names a context the user chose', () =>
    assert.equal(
      showMessage({ project: 'a', contextName: 'mine', nickname: 'a/c/u', server: S }),
      `Using project "a" from context named "mine" on server "${S}".\n`,
    ))
})

void describe('switchMessage', () => {
  const base = {
    argument: 'b',
    project: 'b',
    previous: 'a',
    contextName: 'b/c/u',
    nickname: 'b/c/u',
    server: S,
  }
  const cases: [string, Partial<typeof base>, string][] = [
    ['a new project', {}, `Now using project "b" on server "${S}".\n`],
    ['the same project', { previous: 'b' }, `Already on project "b" on server "${S}".\n`],
    [
      'a context by its name',
      { argument: 'mine', contextName: 'mine', nickname: 'b/c/u' },
      `Now using project "b" from context named "mine" on server "${S}".\n`,
    ],
    [
      'a context without namespace',
      { project: '', contextName: 'mine' },
      `Now using context named "mine" on server "${S}".\n`,
    ],
  ]
  for (const [what, o, want] of cases) {
    void it(what, () => assert.equal(switchMessage({ ...base, ...o }), want))
  }
})

void describe('missingProjectMessage', () => {
  const head = `A project named "x" does not exist on "${S}".`
  const cases: [string, { forbidden: boolean; projects: string[] | undefined }, string][] = [
    [
      'several',
      { forbidden: false, projects: ['b', 'a'] },
      `${head}\nYour projects are:\n* a\n* b`,
    ],
    [
      'one',
      { forbidden: false, projects: ['a'] },
      `${head}\nYou have one project on this server: a`,
    ],
    ['none', { forbidden: false, projects: [] }, `${head}\nYou are not a member of any projects.`],
    ['an unreadable list', { forbidden: false, projects: undefined }, head],
    ['forbidden', { forbidden: true, projects: undefined }, 'You are not a member of project "x".'],
  ]
  for (const [what, o, want] of cases) {
    void it(what, () =>
      assert.equal(missingProjectMessage({ argument: 'x', server: S, ...o }), want),
    )
  }
})
