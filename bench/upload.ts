/**
 * The upload benchmark of `npm run bench` (run after bench/run.ts; alone: `npx tsx bench/upload.ts`).
 *
 * 20 concurrent `POST /v1/documents` of a ~5 MiB PDF, in rounds that start together, against the
 * gateway and the simulator each in its own process (PGlite, or PostgreSQL in its own schema when
 * DATABASE_URL is set). Prints throughput, latency and the gateway process's resident memory: its idle
 * RSS after a warm-up and a full GC, its peak while the uploads run (VmRSS sampled from /proc every
 * 20 ms, and VmHWM reset just before), and how much the peak exceeds idle per MiB in flight.
 *
 * There is no "direct" baseline as in bench/run.ts: a merchant posting the base64 JSON straight to
 * Privy does different work (no multipart, no PDF checks, no database), so the numbers stand alone.
 */
import { randomBytes } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { SignJWT } from 'jose'
import {
  concatTransformationMatrix,
  drawObject,
  PDFDocument,
  type PDFName,
  popGraphicsState,
  pushGraphicsState,
  StandardFonts,
} from 'pdf-lib'
import { request } from 'undici'
import { fullRegistrationJson, nikFor } from '../test/helpers/identity.js'
import {
  collectGarbage,
  type GatewayAllocator,
  gatewayAllocator,
  readResidentMemory,
  resetPeakResidentMemory,
  startBenchStack,
} from './processes.js'

const CONCURRENCY = Number(process.env.BENCH_UPLOAD_CONCURRENCY ?? 20)
const QUICK = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick')
const ROUNDS = Number(process.env.BENCH_UPLOAD_ROUNDS ?? (QUICK ? 1 : 5))
/** No new round starts after this much measuring, so the benchmark stays bounded on a slow machine. */
const MAX_MEASURE_MS = 45_000
const UPLOAD_TIMEOUT_MS = 60_000
const SAMPLE_INTERVAL_MS = 20
const TARGET_PDF_BYTES = 5 * 1_048_576
const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123'
const MiB = 1_048_576
const A4 = { width: 595.28, height: 841.89 }
/** A scan at 150 dpi across an A4 page; its height is chosen to bring the file to TARGET_PDF_BYTES. */
const SCAN_WIDTH_PX = 1240

interface UploadOutcome {
  status: number
  ms: number
  detail?: string
}

/**
 * Runs the uploads once per allocator: the production image's (jemalloc, when this machine has it) and
 * glibc's, which `npm start` on a plain machine gets. `allocators` narrows it (bench/pdf.ts: the image's).
 */
export async function uploadBenchmark(allocators: GatewayAllocator[] = imageAndGlibc()): Promise<void> {
  const [pdf, smallPdf] = await Promise.all([benchPdf(TARGET_PDF_BYTES), benchPdf(0)])
  for (const allocator of allocators) await uploadsWith(allocator, pdf, smallPdf)
  process.stdout.write(
    'Measured: each upload is the whole POST /v1/documents (multipart streamed in and hashed, pdf-lib ' +
      'parse and checks, signer lookup, database writes, base64 JSON upload to the simulator, 201). ' +
      "Rounds start all their uploads together; throughput counts PDF bytes over the rounds' wall time. " +
      "RSS is the gateway process's own (not the simulator's or this client's); idle is its RSS at rest " +
      'after a warm-up round of small PDFs and a full GC, after_settled the same once the rounds are done. ' +
      "jemalloc is the production image's allocator (Dockerfile); glibc's is what `npm start` gets on a " +
      'plain machine. Client, simulator, gateway and database share this machine.\n',
  )
}

/** The image's allocator, then glibc's unless that is what the image's fell back to. */
function imageAndGlibc(): GatewayAllocator[] {
  const image = gatewayAllocator()
  return image.name === 'glibc' ? [image] : [image, gatewayAllocator('glibc')]
}

async function uploadsWith(allocator: GatewayAllocator, pdf: Buffer, smallPdf: Buffer): Promise<void> {
  const stack = await startBenchStack({
    jwtSecret: JWT_SECRET,
    schema: 'privy_gateway_bench',
    // Its own schema, emptied first: a second run would meet the first one's signer (409).
    dropSchemaOnStop: true,
    extraPorts: 1,
    gatewayEnv: allocator.env,
    // Only so the benchmark can ask for a full GC before reading RSS; on 127.0.0.1, for this run.
    gatewayNodeArgs: ([inspectPort]) => [`--inspect=127.0.0.1:${inspectPort}`],
  })
  const [inspectPort = 0] = stack.extraPorts
  try {
    const pid = stack.gateway.pid
    if (pid === undefined) throw new Error('the gateway process has no pid')
    await measure({
      simulatorUrl: stack.simulatorUrl,
      gatewayUrl: stack.gatewayUrl,
      pid,
      inspectPort,
      pdf,
      smallPdf,
      allocator: allocator.name,
    })
  } finally {
    await stack.stop()
  }
}

async function measure(target: {
  simulatorUrl: string
  gatewayUrl: string
  pid: number
  inspectPort: number
  pdf: Buffer
  smallPdf: Buffer
  allocator: GatewayAllocator['name']
}): Promise<void> {
  const { simulatorUrl, gatewayUrl, pid, inspectPort, pdf } = target
  const officer = await userToken('bench-officer')
  const signer = await verifiedSigner(simulatorUrl, gatewayUrl)
  // Each upload places the signature a little apart: the same PDF to the same signers at the same
  // place is the same document (natural key, answered 409), and the bench measures new ones.
  let uploads = 0
  const metadata = () => {
    uploads += 1
    return JSON.stringify({
      title: 'Bench loan agreement',
      sign_process: 'parallel',
      signers: [
        {
          privy_id: signer.privyId,
          placements: [
            {
              page: 1,
              x: 50 + (uploads % 300),
              y: 600 + Math.floor(uploads / 300),
              width: 150,
              height: 75,
              unit: 'pt',
            },
          ],
        },
      ],
    })
  }
  const upload = (file: Blob) => uploadOnce(gatewayUrl, officer, file, metadata())
  const round = (file: Blob) => Promise.all(Array.from({ length: CONCURRENCY }, () => upload(file)))
  const file = new Blob([pdf], { type: 'application/pdf' })

  // Warm-up: every code path of an upload (multipart, pdf-lib, database, Privy token and connections)
  // with small PDFs, so the idle reading that follows is not inflated by 5 MiB buffers awaiting GC.
  const warmUp = await round(new Blob([target.smallPdf], { type: 'application/pdf' }))
  const warmUpFailures = warmUp.filter((outcome) => outcome.status !== 201)
  if (warmUpFailures.length > 0) throw new Error(`warm-up uploads failed: ${describe(warmUpFailures)}`)
  const idle = await settledRss(pid, inspectPort, 8_000)

  const hwmReset = resetPeakResidentMemory(pid)
  const sampler = startSampler(pid)
  const outcomes: UploadOutcome[] = []
  const started = performance.now()
  let rounds = 0
  while (rounds < ROUNDS && performance.now() - started < MAX_MEASURE_MS) {
    outcomes.push(...(await round(file)))
    rounds += 1
  }
  const elapsedS = (performance.now() - started) / 1000
  const sampled = sampler.stop()
  const { hwm } = readResidentMemory(pid)
  const after = await settledRss(pid, inspectPort, 3_000)

  const ok = outcomes.filter((outcome) => outcome.status === 201)
  const failures = outcomes.filter((outcome) => outcome.status !== 201)
  const latencies = ok.map((outcome) => outcome.ms).sort((a, b) => a - b)
  // VmHWM is the true peak when it could be reset; the sampler may miss a spike between its readings.
  const peak = hwmReset ? Math.max(hwm, sampled.peak) : sampled.peak
  const inFlight = CONCURRENCY * pdf.length
  const report = {
    machine: `${process.platform} ${process.arch}, node ${process.version}, ${availableParallelism()} CPUs, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`,
    allocator: target.allocator,
    pdf: {
      bytes: pdf.length,
      mib: round2(pdf.length / MiB),
      pages: 3,
      content: 'text pages + one uncompressed random-RGB image (incompressible)',
    },
    concurrency: CONCURRENCY,
    rounds,
    uploads: outcomes.length,
    failed_uploads: failures.length,
    duration_s: round2(elapsedS),
    uploads_per_s: round2(ok.length / elapsedS),
    mib_per_s: round2((ok.length * pdf.length) / MiB / elapsedS),
    latency_ms: {
      p50: Math.round(percentile(latencies, 50)),
      p99: Math.round(percentile(latencies, 99)),
      max: Math.round(latencies.at(-1) ?? Number.NaN),
    },
    gateway_rss_mib: {
      idle: mib(idle),
      peak: mib(peak),
      peak_sampled: mib(sampled.peak),
      peak_vmhwm: hwmReset ? mib(hwm) : 'not reset (lifetime peak ignored)',
      peak_minus_idle: mib(peak - idle),
      peak_over_idle: Number((peak / idle).toFixed(2)),
      after_settled: mib(after),
    },
    in_flight_mib: mib(inFlight),
    memory_per_in_flight_mib: Number(((peak - idle) / inFlight).toFixed(2)),
    rss_samples: {
      count: sampled.count,
      interval_ms: SAMPLE_INTERVAL_MS,
      mean_gap_ms: round2(sampled.meanGapMs),
      max_gap_ms: Math.round(sampled.maxGapMs),
    },
  }
  process.stdout.write(`\n${JSON.stringify(report, null, 2)}\n`)
  process.stdout.write(
    `\nupload (${report.allocator}): ${report.uploads} × ${report.pdf.mib} MiB PDF, ${CONCURRENCY} at a time: ` +
      `${report.uploads_per_s} uploads/s, ${report.mib_per_s} MiB/s, latency p50 ${report.latency_ms.p50} ms, ` +
      `p99 ${report.latency_ms.p99} ms; gateway RSS idle ${report.gateway_rss_mib.idle} MiB, ` +
      `peak ${report.gateway_rss_mib.peak} MiB (+${report.gateway_rss_mib.peak_minus_idle} MiB, ` +
      `×${report.gateway_rss_mib.peak_over_idle}), ${report.memory_per_in_flight_mib} MiB per MiB in flight\n`,
  )
  if (failures.length > 0) {
    process.stderr.write(`${failures.length} upload(s) did not answer 201: ${describe(failures)}\n`)
    process.exitCode = 1
  }
}

/**
 * A valid A4 PDF of three pages, about `targetBytes` long (±1 image row, 3.6 KB) when that is larger
 * than the text alone: page 2 carries a scan-like image whose pixels are random, stored without
 * compression, so the file cannot shrink on the wire or in any layer that compresses.
 */
export async function benchPdf(targetBytes: number): Promise<Buffer> {
  const textOnly = await buildPdf(0)
  const rowBytes = SCAN_WIDTH_PX * 3
  // The image's dictionary and drawing operators take a few hundred bytes more than the text alone.
  const rows = Math.floor((targetBytes - textOnly.length - 512) / rowBytes)
  return rows > 0 ? buildPdf(rows) : textOnly
}

async function buildPdf(scanRows: number): Promise<Buffer> {
  const pdf = await PDFDocument.create()
  pdf.setTitle('Bench loan agreement')
  const font = pdf.embedStandardFont(StandardFonts.Helvetica)
  for (let number = 1; number <= 3; number++) {
    const page = pdf.addPage([A4.width, A4.height])
    page.drawText(`Loan agreement, page ${number} of 3`, { x: 50, y: A4.height - 60, size: 14, font })
    for (let line = 0; line < 30; line++) {
      page.drawText(`Clause ${number}.${line + 1}: the parties agree to the terms set out in this clause.`, {
        x: 50,
        y: A4.height - 100 - line * 18,
        size: 10,
        font,
      })
    }
  }
  if (scanRows > 0) {
    const image = pdf.context.register(
      pdf.context.stream(randomBytes(SCAN_WIDTH_PX * scanRows * 3), {
        Type: 'XObject',
        Subtype: 'Image',
        Width: SCAN_WIDTH_PX,
        Height: scanRows,
        ColorSpace: 'DeviceRGB',
        BitsPerComponent: 8,
      }),
    )
    const page = pdf.getPage(1)
    const name: PDFName = page.node.newXObject('Scan', image)
    const width = A4.width - 100
    const height = Math.min(A4.height - 100, (width * scanRows) / SCAN_WIDTH_PX)
    page.pushOperators(
      pushGraphicsState(),
      concatTransformationMatrix(width, 0, 0, height, 50, 50),
      drawObject(name),
      popGraphicsState(),
    )
  }
  return Buffer.from(await pdf.save())
}

async function uploadOnce(
  gatewayUrl: string,
  token: string,
  file: Blob,
  metadata: string,
): Promise<UploadOutcome> {
  // Node's own FormData, Blob and fetch: one undici, whatever the Node version (the registry's undici
  // cannot encode Node 24's Blob, and Node 20's fetch cannot encode the registry's FormData).
  const form = new globalThis.FormData()
  form.set('metadata', metadata)
  form.set('file', file, 'agreement.pdf')
  const started = performance.now()
  try {
    const response = await fetch(`${gatewayUrl}/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
      signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
    })
    const text = await response.text()
    const ms = performance.now() - started
    return response.status === 201
      ? { status: 201, ms }
      : { status: response.status, ms, detail: text.slice(0, 300) }
  } catch (error) {
    return { status: 0, ms: performance.now() - started, detail: String(error) }
  }
}

function describe(failures: UploadOutcome[]): string {
  return failures.map((failure) => `\n  ${failure.status || 'no answer'}: ${failure.detail ?? ''}`).join('')
}

export async function userToken(sub: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(JWT_SECRET))
}

/** A verified registration made through the gateway, as in test/helpers/documents.ts. */
export async function verifiedSigner(simulatorUrl: string, gatewayUrl: string): Promise<{ privyId: string }> {
  const token = await userToken('bench-signer')
  const dob = '1988-03-14'
  const created = await request(`${gatewayUrl}/v1/registrations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(
      await fullRegistrationJson({
        phone_verified: true,
        nik: nikFor(dob),
        dob,
        email: 'bench-signer@example.co.id',
      }),
    ),
  })
  const registration = (await created.body.json()) as { id: string; reference_number: string }
  if (created.statusCode !== 201)
    throw new Error(`registration: ${created.statusCode} ${JSON.stringify(registration)}`)
  const verify = await request(
    `${simulatorUrl}/__sim/registrations/${registration.reference_number}/verify`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'verified' }),
    },
  )
  await verify.body.dump()
  if (verify.statusCode >= 300) throw new Error(`simulator verify: ${verify.statusCode}`)
  const refreshed = await request(`${gatewayUrl}/v1/registrations/${registration.id}?refresh=true`, {
    headers: { authorization: `Bearer ${token}` },
  })
  const view = (await refreshed.body.json()) as { status?: string; privy_id?: string }
  if (view.status !== 'verified' || !view.privy_id)
    throw new Error(`the signer is ${view.status ?? refreshed.statusCode}, not verified`)
  return { privyId: view.privy_id }
}

/**
 * The process's RSS at rest: after a full GC (twice, as memory held by objects with finalizers, such
 * as a WebAssembly instance's, goes on the second), the median of the last five readings, 200 ms
 * apart, once they lie within 1 MiB of each other (or at `maxWaitMs`).
 */
export async function settledRss(pid: number, inspectPort: number, maxWaitMs: number): Promise<number> {
  const deadline = Date.now() + maxWaitMs
  const readings: number[] = []
  await sleep(300)
  await collectGarbage(inspectPort)
  await collectGarbage(inspectPort)
  for (;;) {
    readings.push(readResidentMemory(pid).rss)
    const last = readings.slice(-5)
    const settled = last.length === 5 && Math.max(...last) - Math.min(...last) < MiB
    if (settled || Date.now() >= deadline)
      return percentile(
        [...last].sort((a, b) => a - b),
        50,
      )
    await sleep(200)
  }
}

/** Reads the process's VmRSS every SAMPLE_INTERVAL_MS until stopped; keeps the highest. */
export function startSampler(pid: number) {
  let peak = 0
  let count = 0
  let maxGapMs = 0
  let last = performance.now()
  const first = last
  const sample = () => {
    const now = performance.now()
    maxGapMs = Math.max(maxGapMs, now - last)
    last = now
    peak = Math.max(peak, readResidentMemory(pid).rss)
    count += 1
  }
  sample()
  const timer = setInterval(sample, SAMPLE_INTERVAL_MS)
  return {
    stop() {
      clearInterval(timer)
      sample()
      return { peak, count, meanGapMs: (last - first) / Math.max(1, count - 1), maxGapMs }
    },
  }
}

/** Nearest-rank percentile of ascending `sorted`. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN
}

const round2 = (value: number) => Number(value.toFixed(2))
const mib = (bytes: number) => Number((bytes / MiB).toFixed(1))

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await uploadBenchmark()
}
