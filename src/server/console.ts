/**
 * Serves the built web console (dist/console) at `/console/` without authentication: the files
 * hold no data, and every API request the console makes carries the user's token
 * (docs/console.md#how-it-is-served). The files are read once, at start, and kept in memory with
 * a gzip copy; hashed assets may be cached forever, index.html must be revalidated.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/** CONSOLE_PREFIX is where the console is served. */
export const CONSOLE_PREFIX = '/console/'

const CONSOLE_PATH = /^\/console(\/|\?|$)/

/** isConsoleRequest tells a request for the console's static files, which need no token. */
export function isConsoleRequest(method: string, url: string): boolean {
  return method === 'GET' && CONSOLE_PATH.test(url)
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

/**
 * The console's page may load only its own files and talk only to this server; no other site
 * may frame it (a sign-in form under someone else's page).
 */
const CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "frame-ancestors 'none'",
  "form-action 'self'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ')

/** ConsoleFile is one built file, ready to send. */
interface ConsoleFile {
  readonly type: string
  readonly body: Buffer
  readonly gzip: Buffer
  readonly etag: string
}

function consoleFile(path: string): ConsoleFile {
  const body = readFileSync(path)
  return {
    type: TYPES[extname(path)] ?? 'application/octet-stream',
    body,
    gzip: gzipSync(body, { level: 9 }),
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
  }
}

/** ConsoleFiles are the built console: its index.html and its assets by file name. */
export interface ConsoleFiles {
  readonly index: ConsoleFile
  readonly assets: ReadonlyMap<string, ConsoleFile>
}

/** loadConsoleFiles reads a built console directory; undefined when there is none there. */
export function loadConsoleFiles(dir: string): ConsoleFiles | undefined {
  let names: string[]
  try {
    names = readdirSync(join(dir, 'assets'))
  } catch {
    return undefined
  }
  return {
    index: consoleFile(join(dir, 'index.html')),
    assets: new Map(names.map((n) => [n, consoleFile(join(dir, 'assets', n))])),
  }
}

function send(request: FastifyRequest, reply: FastifyReply, file: ConsoleFile, cache: string) {
  void reply
    .header('cache-control', cache)
    .header('etag', file.etag)
    .header('vary', 'accept-encoding')
    .header('x-content-type-options', 'nosniff')
    .type(file.type)
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send()
  const gzip = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '')
  if (gzip) void reply.header('content-encoding', 'gzip')
  return reply.send(gzip ? file.gzip : file.body)
}

/**
 * registerConsole serves `files` under /console/: assets by name, index.html for every other
 * path (the console's own routes). Without files (not built) it says so.
 */
export function registerConsole(app: FastifyInstance, files: ConsoleFiles | undefined): void {
  app.get('/console', (_request, reply) =>
    reply.code(301).header('location', CONSOLE_PREFIX).send(),
  )
  app.get('/console/*', (request, reply) => {
    if (!files) {
      return reply
        .code(404)
        .type('text/plain; charset=utf-8')
        .send('The web console is not built into this installation: run npm run build.\n')
    }
    const path = request.url.split('?')[0] ?? ''
    if (path.startsWith('/console/assets/')) {
      const asset = files.assets.get(path.slice('/console/assets/'.length))
      if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('Not found\n')
      return send(request, reply, asset, 'public, max-age=31536000, immutable')
    }
    void reply
      .header('content-security-policy', CSP)
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
    return send(request, reply, files.index, 'no-cache')
  })
}
