/**
 * `npx tsx bench/callback-flood.ts`: what hostile Privy callbacks cost the gateway's database.
 *
 * Against a real gateway on a real socket and a fresh database (PostgreSQL with DATABASE_URL, in a
 * schema of its own, else in-memory PGlite), with the default limits (.env.example), client addresses
 * given by X-Forwarded-For through a trusted proxy, requests 8 at a time:
 *   1. 300 replays of one genuine, stored callback, each padded differently (between tokens, inside
 *      values, up to 60 KB), all under the genuine Timestamp and Signature;
 *   2. 3,000 unsigned callbacks from one address;
 *   3. 1,500 unsigned callbacks from 1,500 addresses (one each), to fill the hourly total.
 * It prints, for each, the time taken, the answers, the rows stored and how much `privy_callbacks`
 * and `rate_limit_counters` grew on disk (tables, indexes, TOAST; counters are purged once their
 * window is over), and from the bytes per refused row the most the refused rows can take at the
 * limits and retention.
 * The gateway runs in this process (the database is read directly): the times are indicative only.
 */
import { pathToFileURL } from 'node:url'
import { EnvSchema } from '../src/config/env-schema.js'
import {
  callbackStoreBytes,
  inParallel,
  paddedVariants,
  postCallbackBytes,
  signedHeaders,
} from '../test/helpers/callbacks.js'
import { startTestGateway } from '../test/helpers/gateway.js'

const CONCURRENCY = 8

async function main() {
  const defaults = EnvSchema.parse({})
  const gateway = await startTestGateway({ TRUST_PROXY: 'loopback', LOG_LEVEL: 'warn' })
  const hourMs = 3_600_000
  // Counts are per clock hour: start a minute into the next one, so a run stays in one window.
  gateway.clock.advance(hourMs - (Date.now() % hourMs) + 60_000)
  const now = () => new Date(Date.now() + gateway.clock.offset())
  const prisma = gateway.database.prisma
  const rows = () => prisma.privyCallback.count()
  const results: Record<string, unknown>[] = []

  async function measure(name: string, attack: () => Promise<Array<{ status: number; json: unknown }>>) {
    const bytesBefore = await callbackStoreBytes(prisma)
    const rowsBefore = await rows()
    const started = performance.now()
    const answers = await attack()
    const seconds = (performance.now() - started) / 1000
    const answered: Record<string, number> = {}
    for (const answer of answers) {
      const key = `${answer.status}${(answer.json as { duplicate?: boolean })?.duplicate ? ' duplicate' : ''}`
      answered[key] = (answered[key] ?? 0) + 1
    }
    const bytesAfter = await callbackStoreBytes(prisma)
    const grown = bytesAfter.callbacks - bytesBefore.callbacks
    const stored = (await rows()) - rowsBefore
    const result = {
      attack: name,
      requests: answers.length,
      seconds: Number(seconds.toFixed(2)),
      per_second: Math.round(answers.length / seconds),
      answered,
      rows_stored: stored,
      callbacks_bytes_grown: grown,
      counters_bytes_grown: bytesAfter.counters - bytesBefore.counters,
      callbacks_bytes_per_stored_row: stored > 0 ? Math.round(grown / stored) : null,
    }
    results.push(result)
    return result
  }

  try {
    const token = await gateway.userToken('bench-callback-flood')
    const created = await gateway.call('POST', '/v1/registrations', {
      token,
      body: {
        registration_type: 'landing_page',
        name: 'Bench Callback',
        email: 'bench.callback@example.co.id',
        phone: '6281700000001',
      },
    })
    if (created.status !== 201) throw new Error(`registration: ${created.status} ${created.text}`)
    const body = {
      event: 'register',
      data: {
        reference_number: created.json.reference_number,
        status: 'verified',
        privy_id: 'PRIVYBENCH1',
        updated_at: now().toISOString(),
      },
    }
    const headers = signedHeaders(body, now())
    await postCallbackBytes(gateway.url, JSON.stringify(body), headers)
    const variants = paddedVariants(body, 300)
    const replays = await measure('300 padded replays of one stored genuine callback', () =>
      inParallel(
        CONCURRENCY,
        variants.map((raw) => () => postCallbackBytes(gateway.url, raw, headers)),
      ),
    )
    Object.assign(replays, { bytes_sent: variants.reduce((total, raw) => total + Buffer.byteLength(raw), 0) })

    const unsigned = (index: number, from: string) => () =>
      postCallbackBytes(
        gateway.url,
        JSON.stringify({
          event: 'register',
          data: { reference_number: `REG-FLOOD-${index}`, status: 'verified', privy_id: `PRIVY${index}` },
        }),
        { timestamp: now().toISOString() },
        from,
      )
    await measure('3,000 unsigned callbacks from one address', () =>
      inParallel(
        CONCURRENCY,
        Array.from({ length: 3_000 }, (_, index) => unsigned(index, '198.51.100.7')),
      ),
    )
    const spread = await measure('1,500 unsigned callbacks from 1,500 addresses', () =>
      inParallel(
        CONCURRENCY,
        Array.from({ length: 1_500 }, (_, index) =>
          unsigned(10_000 + index, `10.${(index >> 8) & 255}.${index & 255}.1`),
        ),
      ),
    )
    const perRow = (spread.callbacks_bytes_per_stored_row as number | null) ?? 0
    const bound = defaults.CALLBACK_REJECTED_PER_HOUR * defaults.CALLBACK_REJECTED_RETENTION_HOURS
    const machine = `${process.platform} ${process.arch}, node ${process.version}, ${
      gateway.database.kind === 'postgres' ? 'PostgreSQL' : 'PGlite'
    }, concurrency ${CONCURRENCY}`
    const limits = {
      CALLBACK_REJECTED_PER_ADDRESS_PER_HOUR: defaults.CALLBACK_REJECTED_PER_ADDRESS_PER_HOUR,
      CALLBACK_REJECTED_PER_HOUR: defaults.CALLBACK_REJECTED_PER_HOUR,
      CALLBACK_REJECTED_RETENTION_HOURS: defaults.CALLBACK_REJECTED_RETENTION_HOURS,
    }
    const worstCase = {
      refused_rows_at_most: bound,
      about_mib: Number(((bound * perRow) / 2 ** 20).toFixed(1)),
    }
    process.stdout.write(`${JSON.stringify({ machine, limits, results, worst_case: worstCase }, null, 2)}\n`)
  } finally {
    await gateway.close()
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main()
