/**
 * Bundles the `isctl` binary into one CommonJS file, dist/cmd/isctl-main.cjs, and builds its
 * launcher, dist/cmd/isctl.cjs (src/cmd/launcher.ts), which runs it through a V8 code cache.
 * Measured against the tsc output, the bundle takes ~35 ms (11%) off every `isctl image info`:
 * no ESM loader, no per-module resolution of ~40 of our modules and ~30 of undici's. Verb
 * modules stay lazily evaluated inside the bundle. The server is not in it (./serve.js stays
 * external): the launcher runs `serve` from dist/cmd/isctl-serve.cjs, tsc's build of the same
 * entry point bundled with its packages, better-sqlite3 aside, through a code cache too.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { constants as http2Constants } from 'node:http2'
import { build, type Plugin } from 'esbuild'

const MAIN = 'dist/cmd/isctl-main.cjs'
const SERVE = 'dist/cmd/isctl-serve.cjs'

/**
 * Builtins that a dependency requires as it loads but that a CLI run almost never uses. Measured
 * per `isctl image info`: node:child_process ~4 ms (commander, for external subcommands, which
 * we have none of), node:http ~7 ms and node:http2 ~5 ms beyond the tls it shares (undici: the
 * http module for two values, http2 only once a server picks HTTP/2, which `image info` never
 * offers). Inside the bundle those requires get a stand-in that loads the real module at the
 * first read of any other property. The values read as the dependency loads are given here:
 * HTTP/2's constants (protocol numbers and header names, copied at build time); Node's default
 * header limit (what undici would read, unless node runs with --max-http-header-size); and for
 * undici's `constructor === IncomingMessage` test (it clears the socket of a server request
 * used as a body) a class nothing is an instance of: the CLI has no HTTP server.
 */
const DEFERRED: Readonly<Record<string, { importer: RegExp; eager: string }>> = {
  'node:child_process': { importer: /node_modules\/commander\//, eager: '{}' },
  'node:http': {
    importer: /node_modules\/undici\//,
    eager: '{ maxHeaderSize: 16 * 1024, IncomingMessage: class IncomingMessage {} }',
  },
  'node:http2': {
    importer: /node_modules\/undici\//,
    eager: `{ constants: ${JSON.stringify(http2Constants)} }`,
  },
}

const deferredBuiltins: Plugin = {
  name: 'deferred-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:(child_process|http2?)$/ }, (args) =>
      DEFERRED[args.path]?.importer.test(args.importer)
        ? { path: args.path, namespace: 'deferred' }
        : undefined,
    )
    b.onLoad({ filter: /.*/, namespace: 'deferred' }, (args) => ({
      loader: 'js',
      contents: `let real
const load = () => (real ??= require(${JSON.stringify(args.path)}))
module.exports = new Proxy(${DEFERRED[args.path]?.eager ?? '{}'}, {
  get: (eager, key) => (key in eager ? eager[key] : load()[key]),
})
`,
    }))
  },
}

await build({
  entryPoints: ['src/cmd/isctl.ts'],
  outfile: MAIN,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['./serve.js'],
  plugins: [deferredBuiltins],
  // CommonJS has no import.meta: its uses (finding package.json and dist/console) get the bundle's URL.
  define: { 'import.meta.url': '__bundle_url' },
  // "use strict" first: every bundled module was an ES module, strict by definition.
  banner: {
    js: '"use strict";const __bundle_url = require("node:url").pathToFileURL(__filename).href;',
  },
  logLevel: 'warning',
})

// One file for the server, its packages included: resolving, reading and linking each module
// was ~15% of the CPU time of a start of `isctl serve` to /readyz for our modules alone, and
// half of what was left for the packages' (fastify's ~100 files, pino's, undici's...), measured
// at 1.3 s of CPU before against 0.65 s after on an empty store, and CommonJS, so that the
// launcher runs it through a code cache as the other verbs. Only better-sqlite3 stays in
// node_modules: it loads its native addon from beside it.
await build({
  entryPoints: ['dist/cmd/isctl.js'],
  outfile: SERVE,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3'],
  define: { 'import.meta.url': '__bundle_url' },
  banner: {
    js: '"use strict";const __bundle_url = require("node:url").pathToFileURL(__filename).href;',
  },
  logLevel: 'warning',
})

// The launcher names its cache directory after the bundles it runs.
const hash = createHash('sha256')
  .update(readFileSync(MAIN))
  .update(readFileSync(SERVE))
  .digest('hex')
  .slice(0, 16)
await build({
  entryPoints: ['src/cmd/launcher.ts'],
  outfile: 'dist/cmd/isctl.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  define: { BUNDLE_HASH: JSON.stringify(hash) },
  banner: { js: '"use strict";' },
  logLevel: 'warning',
})
