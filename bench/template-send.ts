/**
 * What a document sent from a template costs the gateway (`npx tsx bench/template-send.ts`, PostgreSQL:
 * DATABASE_URL is required). The simulator and the compiled gateway (BENCH_GATEWAY_ENTRY, default
 * dist/server.js) each in its own process; BENCH_BASELINE_ENTRY=<another build's server.js> runs that
 * build beside it on the same database and simulator, in alternate rounds.
 *
 * Each contender stores one template (a PDF of BENCH_TEMPLATE_PAGES pages with a text tag, and
 * BENCH_TEMPLATE_PADDING_KIB of incompressible bytes in an unused stream, as scans weigh), then sends
 * rounds of SIGNERS documents from it, one at a time, each to another verified signer (the same template
 * to the same signer is one open document), and revokes them between rounds. Per send: the gateway
 * process's CPU (its worker threads included, /proc/<pid>/stat), its PostgreSQL round trips
 * (bench/contenders/probe.mjs) and the wall time. BENCH_LOG=<file> keeps the gateways' logs.
 *
 * A build outside this directory (`npx tsc -p tsconfig.build.json --outDir /tmp/base` on another commit)
 * needs `node_modules` and `prisma` beside it (symlinks to this checkout's) to start and be ready.
 */
import type { ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { SignJWT } from 'jose'
import { PDFDocument, StandardFonts } from 'pdf-lib'
import pg from 'pg'
import { FormData, request } from 'undici'
import { simulatorPrivyEnv } from '../src/simulator/dev-credentials.js'
import { fullRegistrationJson, nikFor } from '../test/helpers/identity.js'
import { cpuMs } from './measure.js'
import {
  freePorts,
  queriesOf,
  runToCompletion,
  startCompiledGateway,
  startProcess,
  stopProcess,
  waitUntilOk,
  withSchema,
} from './processes.js'

const SIGNERS = Number(process.env.BENCH_SIGNERS ?? 20)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4)
const PAGES = Number(process.env.BENCH_TEMPLATE_PAGES ?? 10)
const PADDING_KIB = Number(process.env.BENCH_TEMPLATE_PADDING_KIB ?? 1024)
const SCHEMA = 'privy_gateway_bench_tpl'
const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123'

interface Contender {
  name: string
  url: string
  child: ChildProcess
  token: string
  templateId: string
  cpuMs: number[]
  queries: number[]
  wallMs: number[]
}

const token = (sub: string) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(JWT_SECRET))

async function call(url: string, init: { method?: string; token: string; body?: unknown; form?: FormData }) {
  const response = await request(url, {
    method: (init.method ?? 'GET') as 'GET',
    headers: {
      authorization: `Bearer ${init.token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.form ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  })
  const text = await response.body.text()
  return { status: response.statusCode, json: text ? JSON.parse(text) : undefined, text }
}

async function templatePdf(): Promise<Buffer> {
  const pdf = await PDFDocument.create()
  const font = await pdf.embedFont(StandardFonts.Helvetica)
  for (let page = 1; page <= PAGES; page += 1) {
    const sheet = pdf.addPage([595.28, 841.89])
    for (let line = 0; line < 40; line += 1) {
      sheet.drawText(`Clause ${page}.${line}: the borrower repays the loan in monthly instalments.`, {
        x: 50,
        y: 800 - line * 18,
        size: 10,
        font,
      })
    }
    if (page === 1) sheet.drawText('{{sign:borrower}}', { x: 60, y: 60, size: 10, font })
  }
  if (PADDING_KIB > 0) pdf.context.register(pdf.context.stream(randomBytes(PADDING_KIB * 1024)))
  pdf.setSubject(createHash('sha256').update(randomBytes(8)).digest('hex'))
  return Buffer.from(await pdf.save({ useObjectStreams: false }))
}

async function verifiedSigner(simulatorUrl: string, gatewayUrl: string, index: number): Promise<string> {
  const owner = await token('bench-tpl-signers')
  const dob = `19${60 + (index % 40)}-0${1 + (index % 9)}-1${index % 10}`
  const created = await call(`${gatewayUrl}/v1/registrations`, {
    method: 'POST',
    token: owner,
    body: await fullRegistrationJson({
      phone_verified: true,
      nik: nikFor(dob),
      dob,
      email: `bench-tpl-${index}@example.co.id`,
      phone: `62812${String(3000000 + index).padStart(7, '0')}`,
    }),
  })
  if (created.status !== 201) throw new Error(`registration: ${created.status} ${created.text}`)
  const verify = await request(
    `${simulatorUrl}/__sim/registrations/${created.json.reference_number}/verify`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'verified' }),
    },
  )
  await verify.body.dump()
  const refreshed = await call(`${gatewayUrl}/v1/registrations/${created.json.id}?refresh=true`, {
    token: owner,
  })
  if (!refreshed.json?.privy_id) throw new Error(`signer not verified: ${refreshed.text}`)
  return refreshed.json.privy_id
}

async function resetSchema(databaseUrl: string) {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL })
  await client.connect()
  await client.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`)
  await client.end()
  await runToCompletion('src/cli/migrate.ts', { DATABASE_URL: databaseUrl })
}

async function round(contender: Contender, signers: string[]) {
  const pid = contender.child.pid ?? 0
  const ids: string[] = []
  const cpu = cpuMs(pid)
  const queries = await queriesOf(contender.child)
  for (const [index, privyId] of signers.entries()) {
    const started = performance.now()
    const sent = await call(`${contender.url}/v1/documents`, {
      method: 'POST',
      token: contender.token,
      body: {
        template_id: contender.templateId,
        title: `Loan ${index}`,
        signers: [{ role: 'borrower', privy_id: privyId }],
      },
    })
    contender.wallMs.push(performance.now() - started)
    if (sent.status !== 201) throw new Error(`${contender.name} send: ${sent.status} ${sent.text}`)
    ids.push(sent.json.id)
  }
  contender.cpuMs.push((cpuMs(pid) - cpu) / signers.length)
  contender.queries.push(((await queriesOf(contender.child)) - queries) / signers.length)
  for (const id of ids) {
    const revoked = await call(`${contender.url}/v1/documents/${id}/revoke`, {
      method: 'POST',
      token: contender.token,
      body: {},
    })
    if (revoked.status !== 200) throw new Error(`${contender.name} revoke: ${revoked.status} ${revoked.text}`)
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

async function main() {
  if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is required (PostgreSQL)')
  const databaseUrl = withSchema(process.env.DATABASE_URL, SCHEMA)
  const [simPort = 0, ...ports] = await freePorts(3)
  const simulatorUrl = `http://127.0.0.1:${simPort}`
  const simulator = startProcess('src/simulator/server.ts', {
    SIM_HOST: '127.0.0.1',
    SIM_PORT: String(simPort),
    LOG_LEVEL: 'warn',
  })
  const children: ChildProcess[] = [simulator]
  try {
    await resetSchema(databaseUrl)
    await waitUntilOk(`${simulatorUrl}/__sim/health`, 180_000)
    const env = (port: number) => ({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      ...simulatorPrivyEnv(simulatorUrl),
      AUTH_JWT_SECRET: JWT_SECRET,
      OPS_API_KEY_HASHES: createHash('sha256').update('bench-operator-key').digest('hex'),
      PII_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      PII_LOOKUP_KEY: Buffer.alloc(32, 2).toString('base64'),
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '32',
      BACKGROUND_JOBS_ENABLED: 'false',
    })
    const names = process.env.BENCH_BASELINE_ENTRY ? ['gateway', 'baseline'] : ['gateway']
    const contenders: Contender[] = []
    for (const [index, name] of names.entries()) {
      const port = ports[index] ?? 0
      const child = startCompiledGateway(env(port), name === 'baseline')
      children.push(child)
      const url = `http://127.0.0.1:${port}`
      await waitUntilOk(`${url}/health/ready`, 180_000)
      contenders.push({
        name,
        url,
        child,
        token: await token(`bench-tpl-${name}`),
        templateId: '',
        cpuMs: [],
        queries: [],
        wallMs: [],
      })
    }
    const first = contenders[0]
    if (!first) throw new Error('no gateway')
    const signers: string[] = []
    for (let index = 0; index < SIGNERS; index += 1) {
      signers.push(await verifiedSigner(simulatorUrl, first.url, index))
    }
    const pdf = await templatePdf()
    for (const contender of contenders) {
      const form = new FormData()
      form.set('file', new Blob([pdf], { type: 'application/pdf' }), 'template.pdf')
      form.set(
        'metadata',
        JSON.stringify({
          name: 'Bench loan',
          roles: [
            {
              name: 'borrower',
              placements: [{ anchor: '{{sign:borrower}}', offset: { x: 0, y: -80 }, width: 150, height: 75 }],
            },
          ],
        }),
      )
      const created = await call(`${contender.url}/v1/templates`, {
        method: 'POST',
        token: contender.token,
        form,
      })
      if (created.status !== 201) throw new Error(`template: ${created.status} ${created.text}`)
      contender.templateId = created.json.id
      // A warm-up round: JIT, pools and the signers' lookups, not measured.
      await round(contender, signers)
      contender.cpuMs.length = 0
      contender.queries.length = 0
      contender.wallMs.length = 0
    }
    for (let index = 0; index < ROUNDS; index += 1) {
      // Alternate who goes first, so a load that comes and goes falls on both.
      const order = index % 2 === 0 ? contenders : [...contenders].reverse()
      for (const contender of order) await round(contender, signers)
    }
    console.log(
      `template: ${PAGES} pages, ${(pdf.length / 1024).toFixed(0)} KiB; ${SIGNERS} sends a round, ${ROUNDS} rounds`,
    )
    for (const contender of contenders) {
      console.log(
        `${contender.name.padEnd(9)} CPU ms/send median ${median(contender.cpuMs).toFixed(2)} ` +
          `(rounds ${contender.cpuMs.map((value) => value.toFixed(2)).join(', ')}); ` +
          `round trips/send ${median(contender.queries).toFixed(2)}; ` +
          `wall p50 ${median(contender.wallMs).toFixed(1)} ms`,
      )
    }
  } finally {
    for (const child of children.reverse()) await stopProcess(child)
  }
}

await main()
