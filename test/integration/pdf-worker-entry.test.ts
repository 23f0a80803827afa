import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

/**
 * The PDF workers start however the gateway is started. vitest (its fork transforms TypeScript, a
 * worker thread does not inherit that) is covered by test/unit/pdf-pool.test.ts; here the other two:
 * under the tsx CLI, as `npm start` runs it, and compiled by the build's own tsconfig and run by plain
 * node, as `npm run build && npm run start:prod` (and the Docker image, which has no tsx) run it.
 */

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))
const probe = join(root, 'test/fixtures/pdf/pool-probe.mjs')
const temporary: string[] = []
afterAll(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })))
})

const expected = {
  pages: [595.28, 612],
  refusal: {
    status: 422,
    code: 'PDF_TOO_COMPLEX',
    detail: 'file has more than 1,000 PDF objects, the most this gateway reads in one file',
  },
  // The flood hit a limit, so the worker that read it was retired.
  stats: { retired: 1 },
}

describe('the PDF worker entry', () => {
  it('runs under the tsx CLI (npm start), loading the TypeScript task through tsx', async () => {
    const tsx = join(root, 'node_modules/tsx/dist/cli.mjs')
    const pool = pathToFileURL(join(root, 'src/pdf-worker/pool.ts')).href
    const { stdout } = await run(process.execPath, [tsx, probe, pool], { cwd: root, timeout: 60_000 })
    expect(JSON.parse(stdout)).toMatchObject(expected)
  })

  it('runs compiled by tsconfig.build.json under plain node, with no TypeScript beside it', async () => {
    const out = await mkdtemp(join(tmpdir(), 'privy-gateway-build-'))
    temporary.push(out)
    // dist/ as it ships: ESM by package.json, dependencies (and the compiler's types) from node_modules.
    await writeFile(join(out, 'package.json'), JSON.stringify({ type: 'module' }))
    await symlink(join(root, 'node_modules'), join(out, 'node_modules'), 'dir')
    // The build's own settings (allowJs is what emits worker.mjs), for the pool and what it imports.
    await writeFile(
      join(out, 'tsconfig.json'),
      JSON.stringify({
        extends: join(root, 'tsconfig.build.json'),
        compilerOptions: { rootDir: join(root, 'src'), outDir: join(out, 'dist'), sourceMap: false },
        include: [join(root, 'src/pdf-worker')],
      }),
    )
    await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', out], {
      cwd: root,
      timeout: 120_000,
    })
    const emitted = await readdir(join(out, 'dist/pdf-worker'))
    expect(emitted).toEqual(expect.arrayContaining(['worker.mjs', 'inspect-task.js', 'pool.js']))
    expect(emitted.filter((name) => name.endsWith('.ts'))).toEqual([])
    await copyFile(probe, join(out, 'probe.mjs'))
    const pool = pathToFileURL(join(out, 'dist/pdf-worker/pool.js')).href
    const { stdout } = await run(process.execPath, [join(out, 'probe.mjs'), pool], {
      cwd: out,
      timeout: 60_000,
    })
    expect(JSON.parse(stdout)).toMatchObject(expected)
    expect(existsSync(join(out, 'dist/pdf-worker/inspect-task.ts'))).toBe(false)
  }, 180_000)
})
