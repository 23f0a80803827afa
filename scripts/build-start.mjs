// Transpiles src/ to dist/ for `npm start`: esbuild, file by file (no bundling, no type check: that
// is `npm run typecheck`), so the start runs compiled JavaScript instead of transpiling the whole tree
// through tsx on every start. Same layout as `npm run build` (tsc), so `npm run start:prod` runs either.
// It runs before every start: when dist/ was built by this script from the same sources, esbuild and
// this script, it is left as it is (a stamp of their content, not of mtimes, which a checkout resets).
import { createHash } from 'node:crypto'
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const SOURCE = 'src'
const OUT = 'dist'
// Test-only helpers of the simulator: never part of what runs in production.
const EXCLUDED = [join(SOURCE, 'simulator', 'testing')]

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (EXCLUDED.includes(path)) continue
    if (entry.isDirectory()) yield* files(path)
    else yield path
  }
}

const typescript = []
const copied = []
for await (const path of files(SOURCE)) {
  if (path.endsWith('.d.ts')) continue
  if (path.endsWith('.ts')) typescript.push(path)
  else if (path.endsWith('.mjs') || path.endsWith('.js') || path.endsWith('.json')) copied.push(path)
}

const STAMP = join(OUT, '.built-from')
const hash = createHash('sha256')
const esbuildPackage = new URL(import.meta.resolve('esbuild/package.json'))
for (const path of [
  fileURLToPath(import.meta.url),
  fileURLToPath(esbuildPackage),
  ...typescript,
  ...copied,
].sort())
  hash
    .update(path)
    .update('\0')
    .update(await readFile(path))
    .update('\0')
const fingerprint = hash.digest('hex')
if ((await readFile(STAMP, 'utf8').catch(() => '')) === fingerprint) process.exit(0)

// Loaded only when there is something to build: loading esbuild costs a start more than the check.
const { build } = await import('esbuild')
await build({
  entryPoints: typescript,
  outdir: OUT,
  outbase: SOURCE,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
})
for (const path of copied) {
  const target = join(OUT, relative(SOURCE, path))
  await mkdir(dirname(target), { recursive: true })
  await copyFile(path, target)
}
await writeFile(STAMP, fingerprint)
