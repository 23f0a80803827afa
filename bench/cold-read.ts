/**
 * The cold status read alone, in process (issue 12): `findVisible` of registrations and documents by
 * Prisma's model query (as before) and by the repositories' own named SQL (Database.raw), each read
 * a row not read before, 32 at a time, interleaved round by round. Prints CPU ms and database round
 * trips per read: on a shared machine these, not req/s, are what to trust. Not part of `npm run bench`:
 *
 *   DATABASE_URL=postgresql://…/bench_cold npx tsx bench/cold-read.ts   (PGlite without DATABASE_URL)
 *
 * Knobs: COLD_READ_ROWS (rows per kind and path per round, default 4,000), COLD_READ_ROUNDS (3).
 */
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { type Database, openDatabase } from '../src/db/database.js'
import { IN_MEMORY } from '../src/db/pglite.js'
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

/** Reads every id once, CONCURRENCY at a time; CPU ms and round trips per read. */
async function measure(ids: string[], read: Read) {
  let next = 0
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
  return {
    cpu: (spent.user + spent.system) / 1000 / ids.length,
    trips: (roundTrips - trips) / ids.length,
    rps: ids.length / ((performance.now() - started) / 1000),
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
  const database = await openDatabase(
    databaseUrl ? { databaseUrl, schema: SCHEMA, poolSize: 10 } : { pgliteDataDir: IN_MEMORY },
  )
  try {
    await database.migrate()
    const { prisma, raw } = database
    const registrations = createRegistrationRepository(prisma, pii, raw)
    const documents = createDocumentRepository(prisma, pii, raw)
    const regRecords = registrationRecords(prisma, pii, raw)
    const docRecords = documentRecords(prisma, pii, raw)
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
    }
    const samples = new Map<string, Array<{ cpu: number; trips: number; rps: number }>>()
    // Warm-up: JIT, pool connections, prepared statements; rows not reused later.
    const warm = await seed(database, 500)
    for (const [name, read] of Object.entries(paths))
      await measure(name.startsWith('registrations') ? warm.registrations : warm.documents, read)
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, read] of Object.entries(paths)) {
        const fresh = await seed(database, ROWS)
        const ids = name.startsWith('registrations') ? fresh.registrations : fresh.documents
        samples.set(name, [...(samples.get(name) ?? []), await measure(ids, read)])
      }
    }
    const rows: Array<Array<string | number>> = [['path', 'cpu ms/read', 'db rt/read', 'reads/s']]
    for (const [name, list] of samples) {
      rows.push([
        name,
        median(list.map((s) => s.cpu)).toFixed(3),
        median(list.map((s) => s.trips)).toFixed(2),
        Math.round(median(list.map((s) => s.rps))),
      ])
    }
    process.stdout.write(
      `cold findVisible on ${database.kind}, ${ROWS} rows per sample, ${ROUNDS} rounds, ${CONCURRENCY} at a time (medians)\n${table(rows)}\n`,
    )
  } finally {
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
