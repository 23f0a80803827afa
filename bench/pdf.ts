/**
 * `npm run bench:pdf`: what hostile PDFs cost the gateway (issue 10), and what ordinary uploads cost.
 *
 * The gateway and the simulator each run in their own process (PGlite, or PostgreSQL in its own
 * schema when DATABASE_URL is set); this process drives them over HTTP. It prints:
 * 1. memory: the gateway's RSS at rest after a warm-up (and a forced GC), then after 8 uploads of a
 *    9.5 MB PDF whose one object is a dictionary of ~500,000 distinct names, after 10 s idle (no GC,
 *    as a real process would sit), and after a forced GC;
 * 2. the event loop: the slowest of the GET /health/live probes, sent one after another every ~10 ms,
 *    while a 9.5 MB PDF holding one array of 5,000,000 numbers is uploaded and refused;
 * 3. throughput: then bench/upload.ts, 20 concurrent uploads of a 5 MiB PDF, uploads/s.
 *
 * The flood PDFs are written here rather than taken from test/fixtures, so this file runs unchanged on
 * a checkout from before the PDF worker pool: that is how the "before" figures in README were taken.
 */
import { randomUUID } from 'node:crypto'
import { availableParallelism, loadavg } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { FormData, request } from 'undici'
import { gatewayAllocator, readResidentMemory, startBenchStack } from './processes.js'
import { benchPdf, settledRss, startSampler, uploadBenchmark, userToken, verifiedSigner } from './upload.js'

const MiB = 1_048_576
const FLOOD_UPLOADS = Number(process.env.BENCH_PDF_FLOODS ?? 8)
const IDLE_MS = 10_000
const PROBE_INTERVAL_MS = 10
const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123'

/** Catalog, page tree and one page, then `extra` as object 4; offsets and xref computed. */
function pdfWith(extra: string): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>',
    extra,
  ]
  let body = '%PDF-1.7\n'
  const offsets = objects.map((object, index) => {
    const offset = body.length
    body += `${index + 1} 0 obj\n${object}\nendobj\n`
    return offset
  })
  const xref = ['xref', `0 ${objects.length + 1}`, '0000000000 65535 f ']
  for (const offset of offsets) xref.push(`${String(offset).padStart(10, '0')} 00000 n `)
  const trailer = `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${body.length}\n%%EOF\n`
  return Buffer.from(`${body}${xref.join('\n')}\n${trailer}`, 'latin1')
}

/**
 * ~500,000 distinct names (250,000 keys, 250,000 values) of 18 characters: 9.1 MiB. `upload` goes into
 * every name, so each upload brings names no earlier one had, as in issue 10 (and is another PDF).
 */
function nameFlood(upload: number): Buffer {
  const parts: string[] = []
  const prefix = upload.toString(36).padStart(2, '0')
  const filler = 'x'.repeat(8)
  for (let i = 0; i < 500_000; i += 2) {
    const key = i.toString(36).padStart(6, '0')
    const value = (i + 1).toString(36).padStart(6, '0')
    parts.push(`/k${prefix}${filler}${key} /v${prefix}${filler}${value}`)
  }
  return pdfWith(`<< ${parts.join(' ')} >>`)
}

function numberFlood(): Buffer {
  return pdfWith(`[${'0 '.repeat(5_000_000)}]`)
}

async function upload(gatewayUrl: string, token: string, pdf: Buffer, privyId: string) {
  const form = new FormData()
  form.set(
    'metadata',
    JSON.stringify({
      title: 'Bench hostile PDF',
      signers: [
        { privy_id: privyId, placements: [{ page: 1, x: 50, y: 50, width: 150, height: 75, unit: 'pt' }] },
      ],
    }),
  )
  form.set('file', new Blob([pdf], { type: 'application/pdf' }), `${randomUUID()}.pdf`)
  const started = performance.now()
  const response = await request(`${gatewayUrl}/v1/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  })
  const text = await response.body.text()
  let answer: { code?: string; detail?: string } = {}
  try {
    answer = JSON.parse(text) as typeof answer
  } catch {
    answer = {}
  }
  const ms = Math.round(performance.now() - started)
  return { status: response.statusCode, code: answer.code, detail: answer.detail, ms }
}

async function main() {
  const stack = await startBenchStack({
    jwtSecret: JWT_SECRET,
    schema: 'privy_gateway_bench_pdf',
    extraPorts: 1,
    dropSchemaOnStop: true,
    gatewayNodeArgs: ([inspectPort]) => [`--inspect=127.0.0.1:${inspectPort}`],
  })
  const [inspectPort = 0] = stack.extraPorts
  const pid = stack.gateway.pid
  if (pid === undefined) throw new Error('the gateway process has no pid')
  try {
    const token = await userToken('bench-pdf-officer')
    const { privyId } = await verifiedSigner(stack.simulatorUrl, stack.gatewayUrl)
    // Warm-up: an ordinary upload takes every path once (and starts the PDF workers where there are some).
    const warm = await upload(stack.gatewayUrl, token, await benchPdf(0), privyId)
    if (warm.status !== 201) throw new Error(`warm-up upload answered ${warm.status}`)
    const idle = await settledRss(pid, inspectPort, 8_000)

    const sampler = startSampler(pid)
    const floods = []
    let floodBytes = 0
    for (let i = 0; i < FLOOD_UPLOADS; i++) {
      const names = nameFlood(i)
      floodBytes = names.length
      floods.push(await upload(stack.gatewayUrl, token, names, privyId))
    }
    const peak = sampler.stop().peak
    const afterUploads = readResidentMemory(pid).rss
    await sleep(IDLE_MS)
    const afterIdle = readResidentMemory(pid).rss
    const afterGc = await settledRss(pid, inspectPort, 8_000)

    const numbers = numberFlood()
    const probes: number[] = []
    let done = false
    const refused = upload(stack.gatewayUrl, token, numbers, privyId).finally(() => {
      done = true
    })
    while (!done) {
      const started = performance.now()
      const probe = await request(`${stack.gatewayUrl}/health/live`)
      await probe.body.dump()
      probes.push(performance.now() - started)
      await sleep(PROBE_INTERVAL_MS)
    }
    const arrayUpload = await refused
    const sorted = [...probes].sort((a, b) => a - b)

    const mib = (bytes: number) => Number((bytes / MiB).toFixed(1))
    const report = {
      machine: `${process.platform} ${process.arch}, node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg()[0]?.toFixed(1)}, ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`,
      name_flood: {
        pdf_mib: mib(floodBytes),
        uploads: floods.length,
        answers: floods.map(
          (flood) => `${flood.status} ${flood.code ?? ''} ${flood.ms} ms: ${flood.detail ?? ''}`,
        ),
        rss_mib: {
          idle_before: mib(idle),
          peak: mib(peak),
          after_uploads: mib(afterUploads),
          after_10s_idle: mib(afterIdle),
          after_10s_idle_and_gc: mib(afterGc),
          kept_after_idle: mib(afterIdle - idle),
        },
      },
      number_flood: {
        pdf_mib: mib(numbers.length),
        answer: `${arrayUpload.status} ${arrayUpload.code ?? ''} ${arrayUpload.ms} ms: ${arrayUpload.detail ?? ''}`,
        health_probes: probes.length,
        slowest_probe_ms: Math.round(sorted.at(-1) ?? Number.NaN),
        median_probe_ms: Number((sorted[Math.floor(sorted.length / 2)] ?? Number.NaN).toFixed(1)),
      },
    }
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    process.stdout.write(
      `\nname flood: ${floods.length} × ${report.name_flood.pdf_mib} MB, RSS idle ${report.name_flood.rss_mib.idle_before} MiB → ` +
        `${report.name_flood.rss_mib.after_10s_idle} MiB after 10 s idle (${report.name_flood.rss_mib.after_10s_idle_and_gc} MiB after a GC), ` +
        `peak ${report.name_flood.rss_mib.peak} MiB\nnumber flood: ${report.number_flood.answer}; slowest of ` +
        `${probes.length} /health/live probes ${report.number_flood.slowest_probe_ms} ms\n`,
    )
  } finally {
    await stack.stop()
  }
}

await main()
if (process.env.BENCH_PDF_SKIP_UPLOADS !== '1') await uploadBenchmark([gatewayAllocator()])
