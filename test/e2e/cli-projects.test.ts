/**
 * `isctl new-project`, `isctl projects` and `isctl project` against a real `isctl serve`, with
 * real kubectl reading the same project.openshift.io objects: what oc users see.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { succeeded, useServe } from '../harness/index.js'

describe('isctl projects', () => {
  const suite = useServe()
  const server = () => suite.server.address

  it('new-project makes the project, its admin binding, and switches to it', async () => {
    const out = await succeeded(
      suite.run(['new-project', 'web', '--display-name', 'Web Team', '--description', 'The web']),
    )
    assert.ok(
      out.startsWith(`Now using project "web" on server "${server()}".\n\nYou can add images`),
      out,
    )
    assert.equal(await succeeded(suite.run(['project', '-q'])), 'web\n')
    const subject = await succeeded(
      suite.kubectl([
        'get',
        'rolebinding',
        'admin',
        '-n',
        'web',
        '-o',
        'jsonpath={.subjects[0].name}',
      ]),
    )
    assert.equal(subject, 'admin')
    const annotations = await succeeded(
      suite.kubectl(['get', 'namespace', 'web', '-o', 'jsonpath={.metadata.annotations}']),
    )
    assert.deepEqual(JSON.parse(annotations), {
      'openshift.io/description': 'The web',
      'openshift.io/display-name': 'Web Team',
      'openshift.io/requester': 'admin',
    })
  })

  it('kubectl get projects prints NAME, DISPLAY NAME and STATUS', async () => {
    const table = await succeeded(suite.kubectl(['get', 'projects']))
    const lines = table.trimEnd().split('\n')
    assert.match(lines[0] ?? '', /^NAME\s+DISPLAY NAME\s+STATUS$/)
    assert.ok(
      lines.some((l) => /^web\s+Web Team\s+Active$/.test(l)),
      table,
    )
  })

  it('projects lists them with the current one marked', async () => {
    const out = await succeeded(suite.run(['projects']))
    assert.equal(
      out,
      "You have access to the following projects and can switch between them with 'isctl project <projectname>':\n\n" +
        '    default\n' +
        '  * web - Web Team\n\n' +
        `Using project "web" on server "${server()}".\n`,
    )
    assert.equal(await succeeded(suite.run(['projects', '-q'])), 'default\nweb\n')
  })

  it('new-project --skip-config-write leaves the current project alone', async () => {
    const out = await succeeded(suite.run(['new-project', 'batch', '--skip-config-write']))
    assert.equal(
      out,
      `Project "batch" created on server "${server()}".\n\nTo switch to this project and start adding images, use:\n\n    isctl project batch\n`,
    )
    assert.equal(await succeeded(suite.run(['project', '-q'])), 'web\n')
  })

  const refusals: [string, string, string][] = [
    [
      'an existing project',
      'web',
      'Error from server (AlreadyExists): project.project.openshift.io "web" already exists\n',
    ],
    [
      'a reserved prefix',
      'kube-tools',
      'Error from server (Forbidden): project.project.openshift.io "kube-tools" is forbidden: cannot request a project starting with "kube-"\n',
    ],
  ]
  for (const [what, name, stderr] of refusals) {
    it(`new-project refuses ${what} with the server's message`, async () => {
      const res = await suite.run(['new-project', name])
      assert.equal(res.code, 1)
      assert.equal(res.stderr, stderr)
    })
  }

  it('new-project without exactly one name is a usage error', async () => {
    const res = await suite.run(['new-project'])
    assert.equal(res.code, 1)
    assert.match(res.stderr, /must have exactly one argument/)
  })

  it('kubectl deletes a project, which ends its namespace', async () => {
    const out = await succeeded(suite.kubectl(['delete', 'project', 'batch', '--wait=false']))
    assert.equal(out, 'project.project.openshift.io "batch" deleted\n')
    const phase = await suite.kubectl([
      'get',
      'namespace',
      'batch',
      '-o',
      'jsonpath={.status.phase}',
    ])
    if (phase.code === 0) assert.equal(phase.stdout, 'Terminating')
    else assert.match(phase.stderr, /not found/)
  })
})
