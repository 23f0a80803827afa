import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { LOCKFILE_CONTENT, readMigrationsList } from '../../src/db/migrations-dir.js'
import { defaultMigrationsDir, defaultSchemaPath } from '../../src/db/project-paths.js'

const scratch: string[] = []

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'db-migrations-dir-'))
  scratch.push(dir)
  return dir
}

afterEach(async () => {
  await Promise.all(scratch.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

describe('readMigrationsList', () => {
  it('lists migration directories in name order and ignores loose files', async () => {
    const dir = await tempDir()
    for (const name of ['20240102000000_second', '20240101000000_first']) {
      await mkdir(join(dir, name))
      await writeFile(join(dir, name, 'migration.sql'), `-- ${name}\n`)
    }
    await writeFile(join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n')
    await writeFile(join(dir, 'README.md'), 'not a migration')

    const list = await readMigrationsList(dir)

    expect(list.baseDir).toBe(dir)
    expect(list.lockfile).toEqual({ path: 'migration_lock.toml', content: 'provider = "postgresql"\n' })
    expect(list.migrationDirectories).toEqual([
      {
        path: '20240101000000_first',
        migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: '-- 20240101000000_first\n' } },
      },
      {
        path: '20240102000000_second',
        migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: '-- 20240102000000_second\n' } },
      },
    ])
  })

  it('reports a directory without migration.sql to the engine as an error', async () => {
    const dir = await tempDir()
    await mkdir(join(dir, '20240101000000_empty'))

    const [entry] = (await readMigrationsList(dir)).migrationDirectories

    expect(entry?.migrationFile.content.tag).toBe('error')
  })

  it('stands in for a missing lockfile and a missing directory, which the engine would refuse', async () => {
    const list = await readMigrationsList(join(await tempDir(), 'absent'))

    expect(list.lockfile.content).toBe(LOCKFILE_CONTENT)
    expect(list.migrationDirectories).toEqual([])
  })
})

describe('the committed migrations', () => {
  it('are found from the source tree, with the lockfile prisma migrate writes', async () => {
    const dir = defaultMigrationsDir()

    expect(defaultSchemaPath()).toBe(join(dir, '..', 'schema.prisma'))
    expect(await readFile(join(dir, 'migration_lock.toml'), 'utf8')).toBe(LOCKFILE_CONTENT)
    const names = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory())
    expect(names.length).toBeGreaterThan(0)
    for (const { name } of names) {
      expect(name).toMatch(/^\d{14}_[A-Za-z0-9_]+$/)
      expect((await readFile(join(dir, name, 'migration.sql'), 'utf8')).length).toBeGreaterThan(0)
    }
  })
})
