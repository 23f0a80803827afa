import { randomBytes } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dataMigrations } from '../../src/db/data-migrations.js'
import { type Database, openDatabase } from '../../src/db/database.js'
import { defaultMigrationsDir } from '../../src/db/project-paths.js'
import { quoteIdentifier } from '../../src/db/sql-identifier.js'
import { useGateway } from '../helpers/gateway.js'

// A database without this release's migrations used to look healthy: /health/ready answered 200
// while every call answered 500. Readiness now names what is missing, and start-up says it first.
const databaseUrl = process.env.DATABASE_URL
const schema = `t_${randomBytes(8).toString('hex')}`
let database: Database
let shipped: string[]

beforeAll(async () => {
  const entries = await readdir(defaultMigrationsDir(), { withFileTypes: true })
  shipped = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
  // Never migrated: PostgreSQL in a schema of its own (as CI runs), else an in-memory PGlite.
  database = databaseUrl
    ? await openDatabase({ databaseUrl, schema, poolSize: 2 })
    : await openDatabase({ pgliteDataDir: 'memory://' })
})
afterAll(async () => {
  // Runs after the gateway's own afterAll (registered later, so closed first).
  await database?.close()
  if (!databaseUrl) return
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  await client.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`)
  await client.end()
})

const gateway = useGateway({ BACKGROUND_JOBS_ENABLED: 'false' }, () => ({ database }))

const ready = () => gateway.call('GET', '/health/ready')
const sql = (statement: string) => database.prisma.$executeRawUnsafe(statement)

describe('/health/ready and the migrations', () => {
  it('says at start-up that the database lacks every migration, and how to fix it', () => {
    expect(gateway.logs.text()).toContain(
      `database not ready (/health/ready answers 503): the database lacks ${shipped.length} migrations this release needs (the latest: ${shipped.at(-1)}): run \`npm run db:migrate\``,
    )
  })

  it('answers 503 naming the cause on a database no migration touched', async () => {
    const answer = await ready()
    expect(answer.status).toBe(503)
    expect(answer.headers['retry-after']).toBe('5')
    expect(answer.json).toEqual({
      status: 'unavailable',
      checks: { startup: 'ok', database: 'ok', migrations: 'failed', privy: 'ok' },
      causes: {
        migrations: `the database lacks ${shipped.length} migrations this release needs (the latest: ${shipped.at(-1)}): run \`npm run db:migrate\``,
      },
    })
  })

  it('names the one migration a database is behind by', async () => {
    await database.migrate({ hooks: dataMigrations(() => gateway.pii) })
    const latest = shipped.at(-1) ?? ''
    await sql(`DELETE FROM "_prisma_migrations" WHERE migration_name = '${latest}'`)
    const answer = await ready()
    expect(answer.status).toBe(503)
    expect(answer.json.causes).toEqual({
      migrations: `the database lacks 1 migration this release needs (the latest: ${latest}): run \`npm run db:migrate\``,
    })
  })

  it('names a migration that failed part way', async () => {
    const latest = shipped.at(-1) ?? ''
    await sql(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
       VALUES ('${randomBytes(8).toString('hex')}', 'x', '${latest}', now(), 0)`,
    )
    const answer = await ready()
    expect(answer.status).toBe(503)
    expect(answer.json.causes.migrations).toBe(
      `migration ${latest} failed part way: fix the cause, then run \`npm run db:migrate\``,
    )
  })

  it('is ready once every migration is applied, and a driver error is never shown', async () => {
    await sql(`UPDATE "_prisma_migrations" SET finished_at = now() WHERE finished_at IS NULL`)
    const answer = await ready()
    expect(answer.status, answer.text).toBe(200)
    expect(answer.json).toEqual({
      status: 'ok',
      checks: { startup: 'ok', database: 'ok', migrations: 'ok', privy: 'ok' },
    })
    expect(answer.text).not.toMatch(/relation|does not exist|42P01/)
  })
})
