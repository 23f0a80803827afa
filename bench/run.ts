/**
 * `npm run bench`: the gateway's cost over talking to Privy directly.
 *
 * The simulator and the gateway each run in their own process (as in production, where Privy is
 * another machine); autocannon drives them from this one. Compares the gateway's
 * `GET /v1/registrations/{id}?refresh=true` (auth, database read, signed status call, state update)
 * with the same signed status call sent straight to the simulator, at the same concurrency.
 * Then bench/upload.ts: 20 concurrent uploads of a 5 MiB PDF, throughput and the gateway's peak RSS.
 */
import autocannon from 'autocannon'
import { SignJWT } from 'jose'
import { request } from 'undici'
import { privyTimestamp, signatureFor } from '../src/privy/signing.js'
import { DEV_CREDENTIALS } from '../src/simulator/dev-credentials.js'
import { startBenchStack } from './processes.js'
import { uploadBenchmark } from './upload.js'

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10)
const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123'

async function main() {
  const stack = await startBenchStack({ jwtSecret: JWT_SECRET, schema: 'privy_gateway_bench' })
  try {
    const report = await measure(stack.simulatorUrl, stack.gatewayUrl)
    report.machine += process.env.DATABASE_URL ? ', PostgreSQL' : ', PGlite'
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    process.stdout.write(
      `\nstatus refresh: gateway ${report.gateway_rps} req/s vs direct ${report.direct_rps} req/s ` +
        `(ratio ${report.ratio_gateway_over_direct}); added latency p50 ${report.gateway_added_ms.p50} ms, ` +
        `p99 ${report.gateway_added_ms.p99} ms\n`,
    )
    if (report.failed_requests.direct + report.failed_requests.gateway > 0) process.exitCode = 1
  } finally {
    await stack.stop()
  }
}

async function measure(simulatorUrl: string, gatewayUrl: string) {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench-user')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(JWT_SECRET))
  const created = await request(`${gatewayUrl}/v1/registrations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      registration_type: 'landing_page',
      name: 'Bench User',
      email: 'bench@example.co.id',
      phone: '6281234567890',
    }),
  })
  const registration = (await created.body.json()) as { id: string; reference_number: string }
  const upstream = await request(`${simulatorUrl}/__sim/registrations/${registration.reference_number}`)
  const { register_token } = (await upstream.body.json()) as { register_token: string }

  // The direct call: what a merchant's server would send without the gateway, signed the contract's way.
  const tokenResponse = await request(`${simulatorUrl}/oauth2/api/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_id: DEV_CREDENTIALS.clientId,
      client_secret: DEV_CREDENTIALS.clientSecret,
      grant_type: 'client_credentials',
    }),
  })
  const accessToken = ((await tokenResponse.body.json()) as { data: { access_token: string } }).data
    .access_token
  const statusBody = {
    reference_number: registration.reference_number,
    channel_id: DEV_CREDENTIALS.channelId,
    register_token,
  }
  const timestamp = privyTimestamp(new Date())
  const directTarget = {
    url: `${simulatorUrl}/web/api/v2/register/status`,
    method: 'POST' as const,
    headers: {
      authorization: `Bearer ${accessToken}`,
      timestamp,
      signature: signatureFor(DEV_CREDENTIALS, timestamp, statusBody),
      'content-type': 'application/json',
    },
    body: JSON.stringify(statusBody),
  }
  const gatewayTarget = {
    url: `${gatewayUrl}/v1/registrations/${registration.id}?refresh=true`,
    headers: { authorization: `Bearer ${token}` },
  }
  const run = (options: autocannon.Options) =>
    autocannon({ connections: CONNECTIONS, duration: DURATION_S, ...options })

  // Warm both paths (JIT, connection pools, token cache) before measuring.
  await run({ ...gatewayTarget, duration: 2 })
  await run({ ...directTarget, duration: 2 })
  const direct = await run(directTarget)
  const gateway = await run(gatewayTarget)

  const failed = (result: autocannon.Result) => result.errors + result.non2xx
  return {
    machine: `${process.platform} ${process.arch}, node ${process.version}`,
    connections: CONNECTIONS,
    duration_s: DURATION_S,
    direct_rps: Math.round(direct.requests.average),
    gateway_rps: Math.round(gateway.requests.average),
    ratio_gateway_over_direct: Number((gateway.requests.average / direct.requests.average).toFixed(3)),
    direct_latency_ms: { p50: direct.latency.p50, p99: direct.latency.p99 },
    gateway_latency_ms: { p50: gateway.latency.p50, p99: gateway.latency.p99 },
    gateway_added_ms: {
      p50: Number((gateway.latency.p50 - direct.latency.p50).toFixed(2)),
      p99: Number((gateway.latency.p99 - direct.latency.p99).toFixed(2)),
    },
    failed_requests: { direct: failed(direct), gateway: failed(gateway) },
  }
}

await main()
// Then 20 concurrent 5 MiB document uploads, with a simulator and a gateway of their own.
await uploadBenchmark()
