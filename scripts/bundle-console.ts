/**
 * Bundles the web console (src/console) into dist/console: one script and one stylesheet with
 * content-hashed names under assets/, which the server may let browsers keep forever, and an
 * index.html naming them, which it serves `no-cache` (docs/console.md#how-it-is-served). Preact
 * is bundled in: the console loads nothing from any other origin and works offline.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import { build } from 'esbuild'

const OUT = 'dist/console'

rmSync(OUT, { recursive: true, force: true })
mkdirSync(`${OUT}/assets`, { recursive: true })
const result = await build({
  entryPoints: ['src/console/main.tsx'],
  outdir: `${OUT}/assets`,
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: 'src/console/tsconfig.json',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
})

const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p))
const script = outputs.find((f) => f.endsWith('.js'))
const style = outputs.find((f) => f.endsWith('.css'))
if (!script || !style)
  throw new Error(`console bundle is missing its script or stylesheet: ${outputs.join(', ')}`)
const template = readFileSync('src/console/index.html', 'utf8')
writeFileSync(
  `${OUT}/index.html`,
  template
    .replace('%SCRIPT%', `/console/assets/${script}`)
    .replace('%STYLE%', `/console/assets/${style}`),
)
