/**
 * `npm run bench` (issue 12): the gateway's hot path against the limit and a peer.
 *
 * Builds the gateway (dist/, as production runs it) unless BENCH_SKIP_BUILD=1, then bench/status.ts:
 * status reads of the gateway, a bare fastify + undici signing proxy and an Express + axios BFF,
 * interleaved in rounds on one fast upstream, with CPU ms and database round trips per request; the
 * gateway's writes; its scaling table with the plans. Then bench/upload.ts: 20 concurrent 5 MiB
 * uploads. BENCH_QUICK=1 runs every part briefly (a smoke run of a minute or two).
 * PostgreSQL when DATABASE_URL is set (the figures that count), else the status part is skipped.
 */
import { spawnSync } from 'node:child_process'
import { loadavg } from 'node:os'
import { QUICK, runStatusBench } from './status.js'
import { uploadBenchmark } from './upload.js'

if (process.env.BENCH_SKIP_BUILD !== '1') {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
  if (build.status !== 0) throw new Error('npm run build failed')
}
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')
process.stdout.write(
  `# privy-gateway bench${QUICK ? ' (quick)' : ''}: ${process.platform} ${process.arch}, node ${process.version}, load average ${load()}\n`,
)
if (process.env.DATABASE_URL) await runStatusBench(true)
else process.stdout.write('\nStatus reads need DATABASE_URL (PostgreSQL); skipped.\n')
process.stdout.write(`\nload average after the status bench: ${load()}\n`)
// The upload bench alone takes a minute or more: not part of the smoke run.
if (QUICK || process.env.BENCH_UPLOAD === '0')
  process.stdout.write('\nUploads: skipped (npx tsx bench/upload.ts)\n')
else await uploadBenchmark()
