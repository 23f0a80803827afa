import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { applyMigrations } from './migrations.js'
import { readMigrationsList } from './migrations-dir.js'
import { IN_MEMORY, openPglite } from './pglite.js'
import { defaultMigrationsDir, projectRoot } from './project-paths.js'

/**
 * A new PGlite cluster runs initdb (WebAssembly, many seconds on a busy machine) and then every
 * migration. A dump of a cluster that has done both (`dumpDataDir`) loads in a fraction of that, so it
 * is made once and kept, keyed by PGlite's version and the migrations' content: the first fresh data
 * directory pays for it, every later one (a removed ./data, each test process) starts from the dump.
 */

const PREFIX = 'pglite-migrated-'

/**
 * Where the dump is kept: node_modules/.cache/privy-gateway (the customary place for a project's
 * caches, gone with node_modules), else the temp directory when that cannot be written (a read-only
 * image).
 */
function cacheDirs(): string[] {
  return [join(projectRoot(), 'node_modules', '.cache', 'privy-gateway'), join(tmpdir(), 'privy-gateway')]
}

async function templateName(migrationsDir: string): Promise<string> {
  const require = createRequire(import.meta.url)
  const packageJson = join(dirname(dirname(require.resolve('@electric-sql/pglite'))), 'package.json')
  const hash = createHash('sha256').update(await readFile(packageJson))
  const { migrationDirectories } = await readMigrationsList(migrationsDir)
  for (const { path, migrationFile } of migrationDirectories)
    hash.update(path).update(JSON.stringify(migrationFile))
  return `${PREFIX}${hash.digest('hex').slice(0, 16)}.tar`
}

async function build(migrationsDir: string): Promise<Blob> {
  // In memory: initdb there is several times faster than on a directory, which it fills file by file.
  const pglite = await openPglite(IN_MEMORY)
  try {
    await applyMigrations({ kind: 'pglite', pglite }, { migrationsDir })
    return await pglite.dumpDataDir('none')
  } finally {
    await pglite.close()
  }
}

/** Keeps the dump in the first cache directory that takes it, removing dumps of older migrations. */
async function keep(name: string, dump: Blob): Promise<void> {
  const bytes = Buffer.from(await dump.arrayBuffer())
  for (const dir of cacheDirs()) {
    try {
      await mkdir(dir, { recursive: true })
      // Written aside and renamed, so a parallel process never reads half a file.
      const partial = join(dir, `${name}.${process.pid}.partial`)
      await writeFile(partial, bytes)
      await rename(partial, join(dir, name))
      for (const other of await readdir(dir)) {
        if (other.startsWith(PREFIX) && other !== name && !other.endsWith('.partial'))
          await rm(join(dir, other), { force: true })
      }
      return
    } catch {
      // Not writable: try the next place; without any, the next fresh start builds it again.
    }
  }
}

/** A dump of an empty cluster with every migration applied: from the cache, or built and cached. */
export async function migratedPgliteTemplate(migrationsDir = defaultMigrationsDir()): Promise<Blob> {
  const name = await templateName(migrationsDir)
  for (const dir of cacheDirs()) {
    const cached = await readFile(join(dir, name)).catch(() => undefined)
    if (cached) return new Blob([cached])
  }
  const dump = await build(migrationsDir)
  await keep(name, dump)
  return dump
}

/** True when `dataDir` holds no cluster yet (PostgreSQL writes PG_VERSION first); memory is always new. */
export function isNewPgliteDataDir(dataDir: string): boolean {
  return dataDir.startsWith(IN_MEMORY) || !existsSync(join(dataDir, 'PG_VERSION'))
}
