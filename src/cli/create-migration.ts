// `npm run db:migration:create -- <name>`: the offline `prisma migrate dev --create-only`.
// SHADOW_DATABASE_URL, when set, replays the migrations on that PostgreSQL server instead of PGlite.
import { relative } from 'node:path'
import { createMigration } from '../db/migrations.js'

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2)
  if (!name || rest.length > 0) {
    process.stderr.write('usage: npm run db:migration:create -- <name>\n')
    process.exitCode = 2
    return
  }
  const created = await createMigration(name, {
    shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL || undefined,
  })
  if (!created) {
    process.stdout.write('schema.prisma matches the migrations: no migration created\n')
    return
  }
  process.stdout.write(`created ${relative(process.cwd(), created.path)}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(
    `creating the migration failed: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exitCode = 1
})
