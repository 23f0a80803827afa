/**
 * The cold status read alone, in process (issue 12): `findVisible` of registrations and documents by
 * Prisma's model query (as before) and by the repositories' own named SQL (Database.raw), each read
 * a row not read before, 32 at a time, interleaved round by round; on PostgreSQL also the same SQL as
 * pg runs it by default (the portal described on every execution). Prints CPU ms per read of this
 * process and of the pool's PostgreSQL backends (their exact CPU from /proc/<pid>/schedstat, when the
 * server runs on this machine) and database round trips per read: on a shared machine these, not
 * req/s, are what to trust. Not part of `npm run bench`:
 *
 *   DATABASE_URL=postgresql://…/bench_cold npx tsx bench/cold-read.ts   (PGlite without DATABASE_URL)
 *
 * Knobs: COLD_READ_ROWS (rows per kind and path per round, default 4,000), COLD_READ_ROUNDS (3).
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import pg from 'pg'
import { type Database, openDatabase } from '../src/db/database.js'
import { IN_MEMORY } from '../src/db/pglite.js'
import { postgresPoolConfig } from '../src/db/postgres-config.js'
import type { RawSql, SqlStatement } from '../src/db/raw-sql.js'
import { createPiiCipher, piiKeyFromBase64 } from '../src/lib/pii-crypto.js'
import { documentRecords, withSigners } from '../src/modules/documents/documents.records.js'
import { createDocumentRepository } from '../src/modules/documents/documents.repository.js'
import { registrationRecords } from '../src/modules/registration/registration.records.js'
import { createRegistrationRepository } from '../src/modules/registration/registration.repository.js'
import { median, table } from './measure.js'

const ROWS = Number(process.env.COLD_READ_ROWS ?? 4_000)
const ROUNDS = Number(process.env.COLD_READ_ROUNDS ?? 3)
const CONCURRENCY = 32
const SCHEMA = 'privy_gateway_bench_cold_read'
/** The pool's application_name, by which its backends (and their CPU) are found. */
const APPLICATION_NAME = 'privy-bench-cold-read'

let roundTrips = 0
const query = pg.Client.prototype.query
pg.Client.prototype.query = function counted(this: pg.Client, ...args: unknown[]) {
  roundTrips += 1
  return (query as (...a: unknown[]) => unknown).apply(this, args)
} as typeof query

const pii = createPiiCipher({
  active: piiKeyFromBase64(Buffer.alloc(32, 3).toString('base64')),
  lookupKey: Buffer.alloc(32, 4),
})

async function seed(database: Database, count: number) {
  const { prisma } = database
  const records = registrationRecords(prisma, pii, database.raw)
  const docs = documentRecords(prisma, pii, database.raw)
  const registrations: string[] = []
  const documents: string[] = []
  const registrationRows = []
  const documentRows = []
  const signerRows = []
  for (let n = 0; n < count; n++) {
    const id = randomUUID()
    registrations.push(id)
    registrationRows.push({
      id,
      ownerId: 'user:bench',
      referenceNumber: `COLD-${id}`,
      registrationType: 'privy_ra' as const,
      status: 'waiting_verification' as const,
      submission: 'submitted' as const,
      emailMasked: 'be***@example.co.id',
      phoneMasked: '62812****7890',
      syncedAt: new Date(),
      ...records.sealedToken(id, `rt-${id}`),
    })
    const documentId = randomUUID()
    documents.push(documentId)
    documentRows.push({
      id: documentId,
      ownerId: 'user:bench',
      referenceNumber: `COLDDOC-${documentId}`,
      title: 'Bench contract',
      process: 'sign_only' as const,
      signProcess: 'serial' as const,
      visibility: true,
      status: 'processing' as const,
      submission: 'submitted' as const,
      sha256: '0'.repeat(64),
      sizeBytes: 1024,
      pageCount: 1,
      syncedAt: new Date(),
      ...docs.sealedToken(documentId, `dt-${documentId}`),
    })
    for (const position of [1, 2]) {
      signerRows.push({
        id: randomUUID(),
        documentId,
        position,
        privyId: `SIGNER${position}`,
        role: 'signer' as const,
        placements: [{ page: 1, x: 10, y: 20 * position }],
      })
    }
  }
  await prisma.registration.createMany({ data: registrationRows })
  await prisma.document.createMany({ data: documentRows })
  await prisma.documentSigner.createMany({ data: signerRows })
  return { registrations, documents }
}

type Read = (id: string) => Promise<unknown>

/**
 * CPU nanoseconds each of the pool's backends has used so far (/proc/<pid>/schedstat, Linux: exact,
 * where /proc/<pid>/stat counts 10 ms ticks), or null without a PostgreSQL admin connection.
 */
async function backendCpuNs(admin: pg.Client | null): Promise<Map<number, number> | null> {
  if (!admin) return null
  const { rows } = await admin.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
    [APPLICATION_NAME],
  )
  const spent = new Map<number, number>()
  for (const { pid } of rows) {
    try {
      spent.set(pid, Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]))
    } catch {
      // not on this machine (a remote server) or gone
    }
  }
  return spent
}

/** Reads every id once, CONCURRENCY at a time; CPU ms (ours and PostgreSQL's) and round trips per read. */
async function measure(ids: string[], read: Read, admin: pg.Client | null) {
  let next = 0
  const pgBefore = await backendCpuNs(admin)
  const cpu = process.cpuUsage()
  const trips = roundTrips
  const started = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < ids.length) {
        const id = ids[next++] as string
        if (!(await read(id))) throw new Error(`row ${id} not read`)
      }
    }),
  )
  const spent = process.cpuUsage(cpu)
  const elapsed = performance.now() - started
  const readTrips = roundTrips - trips
  const pgAfter = await backendCpuNs(admin)
  let pgNs = 0
  for (const [pid, ns] of pgAfter ?? []) pgNs += ns - (pgBefore?.get(pid) ?? 0)
  return {
    cpu: (spent.user + spent.system) / 1000 / ids.length,
    pgCpu: pgAfter ? pgNs / 1e6 / ids.length : null,
    trips: readTrips / ids.length,
    rps: ids.length / (elapsed / 1000),
  }
}

async function main() {
  const databaseUrl = process.env.DATABASE_URL
  if (databaseUrl) {
    const admin = new pg.Client({ connectionString: databaseUrl })
    await admin.connect()
    await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
    await admin.end()
  }
  const named = databaseUrl ? new URL(databaseUrl) : null
  named?.searchParams.set('application_name', APPLICATION_NAME)
  const database = await openDatabase(
    named ? { databaseUrl: named.toString(), schema: SCHEMA, poolSize: 10 } : { pgliteDataDir: IN_MEMORY },
  )
  const closing: Array<() => Promise<void>> = []
  const admin = databaseUrl ? new pg.Client({ connectionString: databaseUrl }) : null
  await admin?.connect()
  try {
    await database.migrate()
    const { prisma, raw } = database
    const registrations = createRegistrationRepository(prisma, pii, raw)
    const documents = createDocumentRepository(prisma, pii, raw)
    const regRecords = registrationRecords(prisma, pii, raw)
    const docRecords = documentRecords(prisma, pii, raw)
    // The same statements as pg runs them by default, describing the portal on every execution
    // (raw-sql.ts's KnownShapeQuery asks once per pool), on a pool of their own with the same name.
    const describing = named
      ? new pg.Pool({ ...postgresPoolConfig(named.toString(), SCHEMA), max: 10 })
      : null
    closing.push(async () => describing?.end())
    const describedRaw: RawSql | null = describing && {
      rows: async <Row extends object>(statement: SqlStatement) =>
        (await describing.query<Row>(statement)).rows,
      execute: async (statement) => (await describing.query(statement)).rowCount ?? 0,
    }
    const describedRegistrations = describedRaw && registrationRecords(prisma, pii, describedRaw)
    const describedDocuments = describedRaw && documentRecords(prisma, pii, describedRaw)
    const paths: Record<string, Read> = {
      'registrations prisma': async (id) =>
        regRecords.orNull(
          await prisma.registration.findFirst({ where: { id, submission: { not: 'failed' } } }),
        )?.registerToken,
      'registrations sql': async (id) => (await registrations.findVisible(id))?.registerToken,
      'documents prisma': async (id) =>
        docRecords.orNull(
          await prisma.document.findFirst({
            where: { id, submission: { not: 'failed' } },
            include: withSigners,
          }),
        )?.documentToken,
      'documents sql': async (id) => (await documents.findVisible(id))?.documentToken,
      ...(describedRegistrations && describedDocuments
        ? {
            'registrations sql, described each time': async (id: string) =>
              (await describedRegistrations.findVisible(id))?.registerToken,
            'documents sql, described each time': async (id: string) =>
              (await describedDocuments.findVisible(id))?.documentToken,
          }
        : {}),
    }
    const samples = new Map<
      string,
      Array<{ cpu: number; pgCpu: number | null; trips: number; rps: number }>
    >()
    // Warm-up: JIT, pool connections, prepared statements; rows not reused later.
    const warm = await seed(database, 500)
    for (const [name, read] of Object.entries(paths))
      await measure(name.startsWith('registrations') ? warm.registrations : warm.documents, read, admin)
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, read] of Object.entries(paths)) {
        const fresh = await seed(database, ROWS)
        const ids = name.startsWith('registrations') ? fresh.registrations : fresh.documents
        samples.set(name, [...(samples.get(name) ?? []), await measure(ids, read, admin)])
      }
    }
    const rows: Array<Array<string | number>> = [
      ['path', 'cpu ms/read', 'pg cpu ms/read', 'db rt/read', 'reads/s'],
    ]
    for (const [name, list] of samples) {
      const pgCpu = list.flatMap((s) => (s.pgCpu === null ? [] : [s.pgCpu]))
      rows.push([
        name,
        median(list.map((s) => s.cpu)).toFixed(3),
        pgCpu.length > 0 ? median(pgCpu).toFixed(3) : 'n/a',
        median(list.map((s) => s.trips)).toFixed(2),
        Math.round(median(list.map((s) => s.rps))),
      ])
    }
    process.stdout.write(
      `cold findVisible on ${database.kind}, ${ROWS} rows per sample, ${ROUNDS} rounds, ${CONCURRENCY} at a time (medians)\n${table(rows)}\n`,
    )
  } finally {
    for (const close of closing) await close()
    await admin?.end()
    await database.close()
    if (databaseUrl) {
      const admin = new pg.Client({ connectionString: databaseUrl })
      await admin.connect()
      await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`)
      await admin.end()
    }
  }
}

await main()
