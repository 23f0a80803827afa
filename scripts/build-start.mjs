// Transpiles src/ to dist/ for `npm start`: esbuild, file by file (no bundling, no type check: that
// is `npm run typecheck`), so the start runs compiled JavaScript instead of transpiling the whole tree
// through tsx on every start. Same layout as `npm run build` (tsc), so `npm run start:prod` runs either.
import { copyFile, mkdir, readdir } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { build } from 'esbuild'

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
