/**
 * Workload: the web console's stream list of a project of 1,000 streams in headless Chromium.
 * A real `isctl serve` holds the streams; each round opens a fresh page of a signed-in browser
 * context at the project's URL and takes the time from navigation start to the page's
 * `streams-rendered` mark (docs/console.md#performance). The baseline, interleaved with it in the
 * same browser, is a static HTML page holding the same table of the same rows under the
 * console's stylesheet, marked the way Preact runs effects (after the next frame), so that the
 * ratio is what the console adds: its script, the API's list and the render.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext } from 'playwright-core'
import {
  adminCredentials,
  kubectl,
  makeTempDir,
  removeTempDir,
  startServe,
  stopServe,
  succeeded,
} from '../test/harness/index.js'
import {
  consoleFirstLoad,
  launchChromium,
  manyStreams,
  signInWithToken,
  streamName,
  timeStreamList,
} from '../test/harness/console.js'
import type { Verdict } from './api-targets.js'
import { median, round } from './stats.js'

const ROUNDS = 7
const STREAMS = 1000
const NS = 'many'
const TARGET_MS = 1000
const CSS_DIR = join(fileURLToPath(new URL('..', import.meta.url)), 'dist', 'console', 'assets')

/** staticTable is a data: URL of the stream list's table as plain HTML, marked once shown. */
function staticTable(): string {
  const css = readdirSync(CSS_DIR)
    .filter((f) => f.endsWith('.css'))
    .map((f) => readFileSync(join(CSS_DIR, f), 'utf8'))
    .join('\n')
  const rows = Array.from(
    { length: STREAMS },
    (_, i) =>
      `<tr><th scope="row"><a href="/console/ns/${NS}/streams/${streamName(i)}">${streamName(i)}</a></th><td></td><td><time datetime="2026-01-01T00:00:00Z">1m ago</time></td><td>OK</td></tr>`,
  ).join('')
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>static</title><style>${css}</style></head><body><main id="main"><h1>Image streams in ${NS}</h1><p role="status" class="count">${STREAMS} of ${STREAMS} streams</p><table class="streams"><thead><tr><th scope="col">Name</th><th scope="col">Tags</th><th scope="col">Updated</th><th scope="col">Imports</th></tr></thead><tbody>${rows}</tbody></table></main><script>requestAnimationFrame(() => setTimeout(() => performance.mark('static-rendered')))</script></body></html>`
  return `data:text/html;base64,${Buffer.from(html).toString('base64')}`
}

/** timeStatic opens the static table in a fresh page and returns the time to its mark. */
async function timeStatic(context: BrowserContext, url: string): Promise<number> {
  const page = await context.newPage()
  try {
    await page.goto(url)
    await page.waitForFunction(`performance.getEntriesByName('static-rendered').length > 0`)
    return await page.evaluate<number>(
      `performance.getEntriesByName('static-rendered')[0].startTime`,
    )
  } finally {
    await page.close()
  }
}

/** consoleContext is a browser context signed in to the console as the admin in every page. */
async function consoleContext(browser: Browser, server: string, token: string) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true })
  const first = await context.newPage()
  await signInWithToken(first, server, token)
  await first.close()
  // The token lives in one tab's sessionStorage; each fresh page gets it before the console runs.
  await context.addInitScript(
    `sessionStorage.setItem('isctl-console-token', ${JSON.stringify(token)})`,
  )
  return context
}

/** runConsole executes the workload and returns its report. */
export async function runConsole(): Promise<Record<string, unknown>> {
  const dir = makeTempDir('bench-console')
  const server = await startServe(join(dir, 'data'), [], { keepLog: false })
  let browser: Browser | undefined
  try {
    const { server: url, token } = adminCredentials(server.kubeconfig)
    const admin = (args: readonly string[], input?: string) =>
      succeeded(
        kubectl(args, {
          kubeconfig: server.kubeconfig,
          cacheDir: dir,
          ...(input !== undefined && { input }),
        }),
      )
    await admin(['create', 'namespace', NS])
    await admin(['create', '-f', '-'], manyStreams(NS, STREAMS))
    browser = await launchChromium()
    const signedIn = await consoleContext(browser, url, token)
    const plain = await browser.newContext()
    const table = staticTable()
    const rendered: number[] = []
    const listed: number[] = []
    const afterList: number[] = []
    const baseline: number[] = []
    const ratios: number[] = []
    let requests = 0
    // One round of each to warm the HTTP cache and the browser, not counted.
    for (let i = 0; i <= ROUNDS; i++) {
      const page = await signedIn.newPage()
      const list = await timeStreamList(page, url, NS, STREAMS).finally(() => page.close())
      const base = await timeStatic(plain, table)
      if (i === 0) continue
      rendered.push(list.renderedMs)
      listed.push(list.listedMs)
      afterList.push(list.renderedMs - list.listedMs)
      baseline.push(base)
      ratios.push(list.renderedMs / base)
      requests = Math.max(requests, list.streamRequests)
    }
    const renderedMedian = median(rendered)
    const verdicts: Verdict[] = [
      {
        pass: renderedMedian < TARGET_MS,
        target: `${STREAMS} streams listed and rendered in < ${TARGET_MS} ms`,
        measured: `renderedMsMedian ${round(renderedMedian, 0)}`,
      },
    ]
    return {
      workload: 'console',
      rounds: ROUNDS,
      streams: STREAMS,
      loadAverage: loadavg().map((l) => round(l, 2)),
      renderedMsMedian: round(renderedMedian, 0),
      listAnsweredMsMedian: round(median(listed), 0),
      // What the page itself spends once the list has arrived: building and laying out the rows.
      renderAfterListMsMedian: round(median(afterList), 0),
      staticTableMsMedian: round(median(baseline), 0),
      ratioToStaticTable: round(renderedMedian / median(baseline), 2),
      ratioToStaticTableMedianOfRounds: round(median(ratios), 2),
      streamListRequests: requests,
      renderedMs: rendered.map((v) => round(v, 0)),
      staticTableMs: baseline.map((v) => round(v, 0)),
      firstLoadGzipBytes: consoleFirstLoad().gzipBytes,
      verdicts,
    }
  } finally {
    await browser?.close()
    await stopServe(server)
    await removeTempDir(dir)
  }
}
