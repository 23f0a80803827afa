/**
 * `npm run bench` (README, Benchmark): the gateway's hot path against the limit and a peer.
 *
 * Builds the gateway (dist/, as production runs it) unless BENCH_SKIP_BUILD=1, then bench/status.ts:
 * status reads of the gateway, a bare fastify + undici signing proxy and an Express + axios BFF,
 * interleaved in rounds on one fast upstream, with CPU ms and database round trips per request; the
 * gateway's writes (POST /v1/registrations with and without an Idempotency-Key, at 1 and 8
 * connections, and what the key adds; OTP sends); its
 * scaling table with the plans; the same status reads on PGlite. Then bench/upload.ts: 20 concurrent
 * 5 MiB uploads and the peak RSS they cost. `npm run bench -- --quick` (or BENCH_QUICK=1) runs every
 * part briefly, to check that it works. PostgreSQL when DATABASE_URL is set, else the PostgreSQL
 * parts are skipped. Everything printed is also written to bench/results/latest.md (BENCH_OUT).
 * BENCH_ONLY=writes runs only the writes table (on each database; with BENCH_PGLITE=0 and
 * BENCH_UPLOAD=0, PostgreSQL's alone), to iterate on the write path without the seeding.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { dirname } from 'node:path'
import { gatewayAllocator } from './processes.js'
import { QUICK, runStatusBench } from './status.js'
import { uploadBenchmark } from './upload.js'

const OUT = process.env.BENCH_OUT ?? 'bench/results/latest.md'
const printed: string[] = []
const write = process.stdout.write.bind(process.stdout)
// Every table the parts print goes to the results file as well.
process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
  printed.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
  return write(chunk, ...rest)
}) as typeof process.stdout.write
const save = () => {
  mkdirSync(dirname(OUT), { recursive: true })
  writeFileSync(OUT, `\`\`\`text\n${printed.join('')}\`\`\`\n`)
}

if (process.env.BENCH_SKIP_BUILD !== '1') {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
  if (build.status !== 0) throw new Error('npm run build failed')
}
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')
const started = Date.now()
process.stdout.write(
  `# privy-gateway bench${QUICK ? ' (quick)' : ''}: ${process.platform} ${process.arch}, node ${process.version}, gateway allocator ${gatewayAllocator().name}, ${new Date().toISOString()}, load average ${load()}\n`,
)
try {
  if (process.env.DATABASE_URL) await runStatusBench(true)
  else process.stdout.write('\nPostgreSQL parts need DATABASE_URL; skipped.\n')
  process.stdout.write(`\nload average after the PostgreSQL part: ${load()}\n`)
  if (process.env.BENCH_PGLITE !== '0') await runStatusBench(false)
  process.stdout.write(`\nload average after the status benches: ${load()}\n`)
  if (process.env.BENCH_UPLOAD === '0') process.stdout.write('\nUploads: skipped (npx tsx bench/upload.ts)\n')
  else {
    process.stdout.write(`\n## Uploads (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})\n\n`)
    await uploadBenchmark()
  }
  process.stdout.write(
    `\nbench finished in ${Math.round((Date.now() - started) / 1000)} s, load average ${load()}\n`,
  )
} finally {
  save()
}
