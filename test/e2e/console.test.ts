/**
 * The web console in real headless Chromium against a real `isctl serve --htpasswd` and the real
 * test registry: alice (edit) signs in with her password through the OAuth form, imports a
 * PreserveOriginal manifest list through the import form and sees its four platforms, sees a
 * second import land live, switches the tag to Legacy and creates a pull secret; bob (view)
 * sees no import button and is refused when he posts an import himself. Screenshots go to
 * test-artifacts/console/ (printed), and axe-core checks the three main pages.
 */
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import {
  consoleFirstLoad,
  launchChromium,
  manyStreams,
  signInWithToken,
  timeStreamList,
} from '../harness/console.js'
import { INVALID_IMPORT_TARGET, SERVER_IN_STREAM_SOURCE } from '../../src/api/cli-messages.js'
import {
  adminCredentials,
  insecureImport,
  pollUntil,
  succeeded,
  useRegistry,
  useServe,
  userSession,
  type UserSession,
} from '../harness/index.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const ARTIFACTS = join(ROOT, 'test-artifacts', 'console')
const PASSWORDS = { alice: 'alice-pw', bob: 'bob-pw' }
const NS = 'team-a'
const AXE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8')

/** axeProblems runs axe-core on the page and returns its serious and critical violations. */
async function axeProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE })
  const violations = await page.evaluate<
    { id: string; impact: string; help: string; nodes: string[] }[]
  >(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) })))`,
  )
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.join(', ')}`)
}

/** shot saves a full-page screenshot under test-artifacts/console/ and returns its path. */
async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true })
  const path = join(ARTIFACTS, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  console.log(`# screenshot: ${path}`)
  return path
}

describe('the web console in headless Chromium', () => {
  const env = useRegistry({ auth: 'none' })
  const suite = useServe(() => [], { users: PASSWORDS })
  const aliceCli = userSession(suite)
  const bobCli = userSession(suite)
  let browser: Browser
  let server = ''
  const contexts: BrowserContext[] = []
  let alice: Page
  let bob: Page

  const admin = (args: readonly string[], input?: string) => succeeded(suite.kubectl(args, input))
  const granted = (user: UserSession, verb: string, resource: string) =>
    pollUntil(
      `${verb} ${resource} in ${NS} to be allowed`,
      async () => (await user.kubectl(['auth', 'can-i', verb, resource, '-n', NS])).code === 0,
      { timeoutMs: 30_000 },
    )

  /** signIn opens the console in a fresh context and signs in with the password form. */
  const signIn = async (user: 'alice' | 'bob'): Promise<Page> => {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      // axe-core is injected as an inline script, which the console's CSP forbids.
      bypassCSP: true,
      viewport: { width: 1280, height: 900 },
    })
    contexts.push(context)
    const page = await context.newPage()
    await page.goto(`${server}/console/`)
    await page.getByRole('textbox', { name: 'User name', exact: true }).fill(user)
    await page.getByLabel('Password', { exact: true }).fill(PASSWORDS[user])
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Projects' }).waitFor()
    return page
  }

  before(async () => {
    server = adminCredentials(suite.kubeconfig).server
    await admin(['create', 'namespace', NS])
    await suite.run(['policy', 'add-role-to-user', 'edit', 'alice', '-n', NS])
    await suite.run(['policy', 'add-role-to-user', 'view', 'bob', '-n', NS])
    for (const [session, user] of [
      [aliceCli, 'alice'],
      [bobCli, 'bob'],
    ] as const) {
      const res = await session.login(user, PASSWORDS[user])
      assert.equal(res.code, 0, res.stdout + res.stderr)
    }
    await granted(aliceCli, 'create', 'imagestreamimports')
    await granted(bobCli, 'list', 'imagestreams')
    browser = await launchChromium()
  })
  after(async () => {
    for (const c of contexts) await c.close()
    await browser?.close()
  })

  it('ships less than 300 KB gzipped on first load', () => {
    const { files, gzipBytes: gzipped } = consoleFirstLoad()
    console.log(`# console first load: ${files} files, ${gzipped} bytes gzipped`)
    assert.ok(gzipped < 300 * 1024, `${gzipped} bytes`)
  })

  it('alice (edit) signs in with her password and sees her project', async () => {
    alice = await signIn('alice')
    await alice.getByRole('link', { name: NS }).waitFor()
    assert.deepEqual(await axeProblems(alice), [])
  })

  it('alice imports a PreserveOriginal manifest list through the form and sees its four platforms', async () => {
    const list = env.fx.ociIndex
    await alice.getByRole('link', { name: NS }).click()
    await alice.getByRole('heading', { name: `Image streams in ${NS}` }).waitFor()
    await alice.getByRole('link', { name: 'Import image' }).click()
    // The CLI's checks, before anything is sent.
    await alice.getByLabel('From (image to import)').fill('Not A Reference')
    await alice.getByLabel('Image stream').fill('app')
    await alice.getByRole('button', { name: 'Import' }).click()
    const fromProblem = await alice.locator('#import-from-problem').textContent()
    assert.equal(fromProblem, INVALID_IMPORT_TARGET)
    await alice.getByLabel('From (image to import)').fill(list.reference)
    await alice.getByLabel('Tag').fill('v1')
    await alice.getByLabel('Import mode').selectOption('PreserveOriginal')
    await alice.getByLabel(/^Insecure/).check()
    await alice.getByLabel(/^Scheduled/).check()
    await alice.getByRole('button', { name: 'Import' }).click()
    await alice.getByRole('heading', { name: 'Image stream app' }).waitFor()
    const card = alice.locator('section[data-tag="v1"]')
    await card.locator('table.platforms').waitFor()
    const platforms = list.children.filter((c) => c.platform.os !== 'unknown')
    assert.equal(platforms.length, 4)
    const shown = await card.locator('table.platforms tbody tr').count()
    assert.equal(shown, 4)
    const digests: (string | null)[] = []
    for (const cell of await card.locator('table.platforms [data-digest]').all()) {
      digests.push(await cell.getAttribute('data-digest'))
    }
    assert.deepEqual([...digests].sort(), platforms.map((c) => c.digest).sort())
    for (const c of platforms) {
      const platform = [c.platform.os, c.platform.architecture, c.platform.variant]
        .filter(Boolean)
        .join('/')
      await card.getByRole('cell', { name: platform, exact: true }).waitFor()
    }
    assert.equal(await card.locator('[data-field="import-mode"]').textContent(), 'PreserveOriginal')
    assert.match(
      (await card.locator('code.pull').textContent()) ?? '',
      /^docker pull .+\/team-a\/app:v1$/,
    )
    assert.equal(
      await card.locator('code.pull-source').textContent(),
      `docker pull ${list.reference}`,
    )
    // The due-queue's view of the tag (imagestreams/schedule), as `isctl describe is` shows it.
    await card
      .locator('[data-field="scheduled"]', {
        hasText:
          /^yes: (not checked yet|last checked \d+[smhd] ago), next check (in \d+[smhd]|due now)$/,
      })
      .waitFor()
  })

  it('a second import lands live on the stream page and in the stream list', async () => {
    await admin(['create', '-f', '-'], insecureImport(NS, 'app', 'v2', env.fx.ociSingle.reference))
    const v2 = alice.locator('section[data-tag="v2"]')
    await v2.waitFor()
    await v2.locator(`[data-digest="${env.fx.ociSingle.digest}"]`).first().waitFor()
    await shot(alice, 'stream-page')
    assert.deepEqual(await axeProblems(alice), [])

    await alice.getByRole('link', { name: NS, exact: true }).click()
    await alice.getByRole('row', { name: /app/ }).waitFor()
    await admin(
      ['create', '-f', '-'],
      insecureImport(NS, 'tool', 'latest', env.fx.ociSingle.reference),
    )
    await alice.getByRole('link', { name: 'tool', exact: true }).waitFor()
    await admin(
      ['create', '-f', '-'],
      insecureImport(
        NS,
        'broken',
        'latest',
        `${env.fx.ociSingle.reference.split('/')[0]}/no/such:image`,
      ),
    ).catch(() => '')
    await alice.locator('tr.failing', { hasText: 'broken' }).waitFor()
    await shot(alice, 'stream-list')
    assert.deepEqual(await axeProblems(alice), [])
    await alice.setViewportSize({ width: 390, height: 844 })
    await shot(alice, 'stream-list-phone')
    await alice.setViewportSize({ width: 1280, height: 900 })
  })

  it('alice switches the manifest list tag to Legacy', async () => {
    await alice.getByRole('link', { name: 'app', exact: true }).click()
    const card = alice.locator('section[data-tag="v1"]')
    await card.getByRole('button', { name: 'Switch to Legacy' }).click()
    await pollUntil(
      'the tag to show Legacy',
      async () => (await card.locator('[data-field="import-mode"]').textContent()) === 'Legacy',
      { timeoutMs: 30_000 },
    )
    await card.getByRole('button', { name: 'Switch to PreserveOriginal' }).waitFor()
    // Legacy keeps one platform's image: the tag now points at a single manifest.
    await card.locator('table.platforms').waitFor({ state: 'detached' })
    await card.getByText('Image linux/amd64').waitFor()
    const mode = await admin([
      'get',
      'is',
      'app',
      '-n',
      NS,
      '-o',
      'jsonpath={.spec.tags[?(@.name=="v1")].importPolicy.importMode}',
    ])
    assert.equal(mode, 'Legacy')
  })

  it('alice adds a tag through the form, refused first with the CLI words for a bad source', async () => {
    await alice.getByLabel('Source kind').selectOption('ImageStreamTag')
    await alice.getByLabel('Source', { exact: true }).fill('quay.io/team/app:1')
    await alice.getByLabel('New tag').fill('stable')
    await alice.getByRole('button', { name: 'Add tag' }).click()
    assert.equal(
      await alice.locator('#addtag-source-problem').textContent(),
      SERVER_IN_STREAM_SOURCE,
    )
    await alice.getByLabel('Source', { exact: true }).fill('app:v1')
    await alice.getByRole('button', { name: 'Add tag' }).click()
    await alice.locator('section[data-tag="stable"]').waitFor()
    await alice.getByRole('status').filter({ hasText: 'Tag app:stable set to app:v1.' }).waitFor()
    const from = await admin([
      'get',
      'is',
      'app',
      '-n',
      NS,
      '-o',
      'jsonpath={.spec.tags[?(@.name=="stable")].from}',
    ])
    assert.deepEqual(JSON.parse(from), { kind: 'ImageStreamTag', name: 'app:v1' })
    assert.deepEqual(await axeProblems(alice), [])
  })

  it('the image page shows the configuration and layers of an image', async () => {
    const v2 = alice.locator('section[data-tag="v2"]')
    await v2.getByRole('link', { name: 'linux/amd64' }).click()
    await alice.getByRole('heading', { name: 'Layers' }).waitFor()
    const layers = await alice.locator('section', { hasText: 'Layers' }).locator('tbody tr').count()
    assert.ok(layers >= 1, `${layers} layers`)
    await alice.getByText('Entrypoint', { exact: true }).waitFor()
    await alice.getByText('["/opt/tool/entrypoint"]').waitFor()
    assert.deepEqual(await axeProblems(alice), [])
  })

  it('alice removes a tag and deletes a stream', async () => {
    alice.on('dialog', (dialog) => void dialog.accept())
    await alice.goto(`${server}/console/ns/${NS}/streams/app`)
    await alice
      .locator('section[data-tag="v2"]')
      .getByRole('button', { name: 'Remove tag' })
      .click()
    await alice.locator('section[data-tag="v2"]').waitFor({ state: 'detached' })
    await alice.goto(`${server}/console/ns/${NS}/streams/tool`)
    await alice.getByRole('button', { name: 'Delete stream' }).click()
    await alice.getByRole('heading', { name: `Image streams in ${NS}` }).waitFor()
    await alice.getByRole('link', { name: 'tool', exact: true }).waitFor({ state: 'detached' })
    const left = await admin(['get', 'is', '-n', NS, '-o', 'jsonpath={.items[*].metadata.name}'])
    assert.deepEqual(left.split(' ').sort(), ['app', 'broken'])
  })

  it('alice creates a pull secret and links it to the default service account', async () => {
    await alice.goto(`${server}/console/ns/${NS}/pull-secrets`)
    await alice.getByLabel('Secret name').fill('quay-pull')
    await alice.getByLabel('Registry server').fill('quay.example.com')
    await alice.getByRole('textbox', { name: 'User name', exact: true }).fill('robot')
    await alice.getByLabel('Password', { exact: true }).fill('s3cret')
    await alice.getByRole('button', { name: 'Create secret' }).click()
    await alice
      .getByText('Secret quay-pull created. Linked to service account default for pulls.')
      .waitFor()
    const type = await admin(['get', 'secret', 'quay-pull', '-n', NS, '-o', 'jsonpath={.type}'])
    assert.equal(type, 'kubernetes.io/dockerconfigjson')
    const config = JSON.parse(
      Buffer.from(
        await admin([
          'get',
          'secret',
          'quay-pull',
          '-n',
          NS,
          '-o',
          'jsonpath={.data.\\.dockerconfigjson}',
        ]),
        'base64',
      ).toString('utf8'),
    ) as { auths: Record<string, { username: string; password: string }> }
    assert.deepEqual(
      {
        username: config.auths['quay.example.com']?.username,
        password: config.auths['quay.example.com']?.password,
      },
      { username: 'robot', password: 's3cret' },
    )
    const linked = await admin([
      'get',
      'sa',
      'default',
      '-n',
      NS,
      '-o',
      'jsonpath={.imagePullSecrets[*].name}',
    ])
    assert.match(linked, /\bquay-pull\b/)
  })

  it('the import form is reached and filled with the keyboard alone', async () => {
    await alice.goto(`${server}/console/ns/${NS}`)
    await alice.getByRole('link', { name: 'app', exact: true }).waitFor()
    for (let i = 0; i < 20; i++) {
      await alice.keyboard.press('Tab')
      if ((await alice.evaluate<string>('document.activeElement.textContent')) === 'Import image')
        break
    }
    await alice.keyboard.press('Enter')
    await alice.getByRole('heading', { name: 'Import an image' }).waitFor()
    assert.deepEqual(await axeProblems(alice), [])
    await alice.getByLabel('From (image to import)').focus()
    await alice.keyboard.type('bad@ref')
    await alice.keyboard.press('Enter')
    await alice.locator('#import-from-problem').waitFor()
    assert.equal(
      await alice.getByLabel('From (image to import)').getAttribute('aria-invalid'),
      'true',
    )
    await alice
      .locator('#import-stream-problem', {
        hasText: 'you must specify the name of an image stream',
      })
      .waitFor()
  })

  it('bob (view) sees the streams but no import button, and a direct import is refused', async () => {
    bob = await signIn('bob')
    await bob.goto(`${server}/console/ns/${NS}`)
    await bob.getByRole('link', { name: 'app', exact: true }).waitFor()
    // Give the access reviews time to answer before checking what is absent.
    await bob.getByRole('status').filter({ hasText: 'streams' }).waitFor()
    await pollUntil(
      'the access reviews to answer',
      async () =>
        (await bob.evaluate<number>(
          'performance.getEntriesByType("resource").filter((e) => e.name.includes("selfsubjectaccessreviews")).length',
        )) >= 2,
    )
    assert.equal(await bob.getByRole('link', { name: 'Import image' }).count(), 0)
    await bob.getByRole('link', { name: 'app', exact: true }).click()
    await bob.locator('section[data-tag="v1"]').waitFor()
    assert.equal(
      await bob
        .getByRole('button', { name: /Re-import|Switch to|Remove tag|Add tag|Delete/ })
        .count(),
      0,
    )
    const status = await bob.evaluate<{
      code: number
      body: { message: string }
    }>(`fetch('/apis/image.openshift.io/v1/namespaces/${NS}/imagestreamimports', {
      method: 'POST',
      headers: { authorization: 'Bearer ' + sessionStorage.getItem('isctl-console-token'), 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'image.openshift.io/v1', kind: 'ImageStreamImport', metadata: { name: 'app' }, spec: { import: true, images: [{ from: { kind: 'DockerImage', name: ${JSON.stringify(env.fx.ociSingle.reference)} }, to: { name: 'v9' } }] } }),
    }).then(async (r) => ({ code: r.status, body: await r.json() }))`)
    assert.equal(status.code, 403)
    assert.match(status.body.message, /User "bob" cannot create resource "imagestreamimports"/)
  })

  it('renders a project of 1,000 streams (time printed, not asserted: the machine is shared)', async () => {
    await admin(['create', 'namespace', 'many'])
    await admin(['create', '-f', '-'], manyStreams('many', 1000))
    const page = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage()
    contexts.push(page.context())
    // The admin signs in with a pasted token.
    await signInWithToken(page, server, adminCredentials(suite.kubeconfig).token)
    await page.getByRole('link', { name: 'many', exact: true }).waitFor()
    const {
      renderedMs: ms,
      listedMs: listed,
      streamRequests,
    } = await timeStreamList(page, server, 'many', 1000)
    assert.equal(streamRequests, 1, 'the list is one request')
    assert.equal(await page.locator('table.streams tbody tr').count(), 1000)
    console.log(
      `# 1,000 streams: list answered ${Math.round(listed)} ms, rendered ${Math.round(ms)} ms after navigation start`,
    )
    await page.getByLabel('Labels').fill('n=3')
    await page.getByText('100 of 1000 streams').waitFor()
  })

  it('a wrong password is refused on the sign-in page', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true })
    contexts.push(context)
    const page = await context.newPage()
    await page.goto(`${server}/console/`)
    await page.getByRole('textbox', { name: 'User name', exact: true }).fill('alice')
    await page.getByLabel('Password', { exact: true }).fill('wrong')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByText('Wrong user name or password.').waitFor()
  })
})
