/**
 * The web console in the system's headless Chromium, for the console's e2e test and its bench:
 * the browser, a project of many streams, the admin's sign-in with a pasted token and the time
 * to the stream list's `streams-rendered` mark.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { chromium, type Browser, type Page } from 'playwright-core'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** Debian's chromium, which playwright-core drives. */
export const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
]

/** launchChromium starts the headless browser the console is tested in. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
}

/** consoleFirstLoad is the files of a first load of the built console and their gzipped size. */
export function consoleFirstLoad(): { files: number; gzipBytes: number } {
  const dist = join(ROOT, 'dist', 'console')
  const files = [
    join(dist, 'index.html'),
    ...readdirSync(join(dist, 'assets')).map((f) => join(dist, 'assets', f)),
  ]
  const gzipBytes = files.reduce((sum, f) => sum + gzipSync(readFileSync(f)).length, 0)
  return { files: files.length, gzipBytes }
}

/** streamName is the name of the i-th stream of manyStreams. */
export function streamName(i: number): string {
  return `s-${String(i).padStart(4, '0')}`
}

/** manyStreams is a `kubectl create -f -` List of `count` streams in `namespace`, labelled n=i%10. */
export function manyStreams(namespace: string, count: number): string {
  const items = Array.from({ length: count }, (_, i) => ({
    apiVersion: 'image.openshift.io/v1',
    kind: 'ImageStream',
    metadata: { name: streamName(i), namespace, labels: { n: String(i % 10) } },
  }))
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items })
}

/** signInWithToken signs `page` in to the console at `server` with a pasted token. */
export async function signInWithToken(page: Page, server: string, token: string): Promise<void> {
  await page.goto(`${server}/console/`)
  await page.getByLabel(/^Token/).fill(token)
  await page.getByRole('button', { name: 'Use token' }).click()
  await page.getByRole('heading', { name: 'Projects' }).waitFor()
}

/** When a stream list rendered, in ms after the page's navigation start. */
export interface StreamsRendered {
  /** The `streams-rendered` mark of a list of all `count` streams. */
  readonly renderedMs: number
  /** The end of the one list request's answer. */
  readonly listedMs: number
  /** How many requests the page made to the image API's stream URLs. */
  readonly streamRequests: number
}

/** timeStreamList opens the list of `namespace` (of `count` streams) in a signed-in `page`. */
export async function timeStreamList(
  page: Page,
  server: string,
  namespace: string,
  count: number,
): Promise<StreamsRendered> {
  await page.goto(`${server}/console/ns/${namespace}`)
  await page.getByText(`${count} of ${count} streams`).waitFor({ timeout: 60_000 })
  const [renderedMs, listedMs, streamRequests] = await page.evaluate<[number, number, number]>(
    `[performance.getEntriesByName('streams-rendered').find((m) => m.detail === ${count}).startTime,
      performance.getEntriesByType('resource').find((e) => e.name.endsWith('/namespaces/${namespace}/imagestreams')).responseEnd,
      performance.getEntriesByType('resource').filter((e) => e.name.includes('/imagestreams') && !e.name.includes('watch=')).length]`,
  )
  return { renderedMs, listedMs, streamRequests }
}
