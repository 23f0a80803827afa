/**
 * `npx tsx bench/otp-pumping.ts`: a simulated SMS-pumping run against the abuse limits.
 *
 * An attacker registers 1,000 sequential phone numbers (628120000000, 628120000001, …) as
 * `privy_ra` registrations waiting for their OTP, and asks for an OTP for each: every OTP Privy sends
 * is an SMS the merchant pays for. Three attackers, each against a fresh gateway and database with the
 * default limits (.env.example):
 *   - one user token from one address;
 *   - a new user token for every number, from one address;
 *   - a new user token and a new address for every number (X-Forwarded-For through a trusted proxy:
 *     a botnet behind the merchant's load balancer).
 * It prints how many SMS went out (counted at the simulator) before the limits stopped each, and how
 * many requests were refused. The simulator and the gateway run in their own processes, as in
 * bench/run.ts; with DATABASE_URL the gateway uses PostgreSQL (a schema of its own per run).
 * `PUMPING_NUMBERS` (default 1000) and `PUMPING_CONCURRENCY` (default 1) change the size and the
 * attacker's parallelism.
 */
import { pathToFileURL } from 'node:url'
import { SignJWT } from 'jose'
import { request } from 'undici'
import { EnvSchema } from '../src/config/env-schema.js'
import { nikFor, photo } from '../test/helpers/identity.js'
import { startBenchStack } from './processes.js'

export type Attacker = 'one_user_one_ip' | 'many_users_one_ip' | 'many_users_many_ips'

export interface PumpingOptions {
  gatewayUrl: string
  simulatorUrl: string
  /** The HS256 secret the gateway checks user JWTs with. */
  jwtSecret: string
  attacker: Attacker
  numbers: number
  /** The first number of the range; the others follow it. */
  firstPhone?: bigint
  /** Requests the attacker keeps in flight at once. */
  concurrency?: number
  /** Distinguishes the users of several runs against one gateway. */
  runId?: string
}

export interface PumpingResult {
  attacker: Attacker
  numbers: number
  /** OTP requests answered 201: each one an SMS sent by Privy. */
  otps_sent: number
  /** SMS Privy sent to the attacked range, counted at the simulator. */
  sms_at_privy: number
  /** OTP requests that reached Privy at all (the simulator's request log). */
  otp_requests_at_privy: number
  refused_429: number
  other_failures: number
  /** Refusals by the limit each named (`limit` of the problem). */
  refused_by_limit: Record<string, number>
  /** The first refusal was the n-th OTP request to be answered (1-based; answers in arrival order). */
  first_refusal_at: number | null
  /** The largest Retry-After seen, in seconds. */
  max_retry_after_s: number
  duration_ms: number
}

const OTP_PATH = '/web/api/v2/register/otp'
const DOB = '1990-05-17'

/** Runs one attacker against a running gateway and simulator. */
export async function pumpOtps(options: PumpingOptions): Promise<PumpingResult> {
  const started = Date.now()
  const firstPhone = options.firstPhone ?? 628120000000n
  const runId = options.runId ?? String(started)
  // Small photos keep a thousand registrations fast; they still pass the gateway's image checks.
  const [ktp, selfie] = await Promise.all([photo('jpeg', 240, 240), photo('png', 240, 240, 7)])
  const images = {
    ktp: ktp.toString('base64'),
    selfie: `data:image/png;base64,${selfie.toString('base64')}`,
  }
  const secret = new TextEncoder().encode(options.jwtSecret)
  const tokenFor = (sub: string) =>
    new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('2h').sign(secret)
  const sharedToken = await tokenFor(`pumper-${runId}`)
  const otpRequestsBefore = await simulatorCount(options.simulatorUrl, OTP_PATH)

  const result: PumpingResult = {
    attacker: options.attacker,
    numbers: options.numbers,
    otps_sent: 0,
    sms_at_privy: 0,
    otp_requests_at_privy: 0,
    refused_429: 0,
    other_failures: 0,
    refused_by_limit: {},
    first_refusal_at: null,
    max_retry_after_s: 0,
    duration_ms: 0,
  }

  let answered = 0
  const attack = async (index: number) => {
    const phone = String(firstPhone + BigInt(index))
    const token =
      options.attacker === 'one_user_one_ip' ? sharedToken : await tokenFor(`pumper-${runId}-${index}`)
    const headers: Record<string, string> = { authorization: `Bearer ${token}` }
    if (options.attacker === 'many_users_many_ips') {
      headers['x-forwarded-for'] = `10.${(index >> 16) & 0xff}.${(index >> 8) & 0xff}.${index & 0xff}`
    }
    const registration = await post(options.gatewayUrl, '/v1/registrations', headers, {
      registration_type: 'privy_ra',
      name: 'Budi Santoso',
      email: `pumped.${index}@example.co.id`,
      phone,
      // Distinct per person: one registration per (user, NIK) is in flight at a time.
      nik: nikFor(DOB, { ending: String(1000 + (index % 9000)).padStart(4, '0') }),
      dob: DOB,
      ...images,
      phone_verified: false,
    })
    if (registration.status !== 201) {
      result.other_failures += 1
      return
    }
    const otp = await post(options.gatewayUrl, '/v1/otp', headers, {
      otp_type: 'registration',
      otp_channel: 'sms',
      registration_id: registration.json.id,
    })
    answered += 1
    if (otp.status === 201) {
      result.otps_sent += 1
    } else if (otp.status === 429) {
      result.refused_429 += 1
      const limit = String(otp.json?.limit ?? otp.json?.code ?? 'unknown')
      result.refused_by_limit[limit] = (result.refused_by_limit[limit] ?? 0) + 1
      result.first_refusal_at ??= answered
      result.max_retry_after_s = Math.max(result.max_retry_after_s, Number(otp.headers['retry-after'] ?? 0))
    } else {
      result.other_failures += 1
    }
  }

  let next = 0
  const worker = async () => {
    while (next < options.numbers) {
      const index = next++
      await attack(index)
    }
  }
  await Promise.all(Array.from({ length: Math.max(options.concurrency ?? 1, 1) }, worker))

  const messages = await getJson(`${options.simulatorUrl}/__sim/messages`)
  const attacked = new Set(
    Array.from({ length: options.numbers }, (_, index) => String(firstPhone + BigInt(index))),
  )
  result.sms_at_privy = (messages.messages as Array<{ channel: string; to: string }>).filter(
    (message) => message.channel === 'sms' && attacked.has(message.to),
  ).length
  result.otp_requests_at_privy = (await simulatorCount(options.simulatorUrl, OTP_PATH)) - otpRequestsBefore
  result.duration_ms = Date.now() - started
  return result
}

async function post(baseUrl: string, path: string, headers: Record<string, string>, body: unknown) {
  const response = await request(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await response.body.text()
  let json: { id?: string; limit?: string; code?: string } | undefined
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.statusCode, headers: response.headers, json: json ?? {} }
}

async function getJson(url: string) {
  const response = await request(url)
  return (await response.body.json()) as Record<string, unknown>
}

async function simulatorCount(simulatorUrl: string, path: string): Promise<number> {
  const counted = await getJson(`${simulatorUrl}/__sim/requests/count?path=${encodeURIComponent(path)}`)
  return Number(counted.count)
}

const JWT_SECRET = 'pumping-bench-secret-pumping-bench-secret-0123'

/** One attacker against its own simulator and gateway (a fresh database: counters start at zero). */
async function runAttacker(attacker: Attacker, numbers: number, concurrency: number) {
  const stack = await startBenchStack({
    jwtSecret: JWT_SECRET,
    schema: `privy_gateway_pumping_${attacker}_${Date.now()}`,
    dropSchemaOnStop: true,
    logLevel: 'error',
    // The bench talks to the gateway from 127.0.0.1, standing in for the merchant's load balancer.
    gatewayEnv: { TRUST_PROXY: 'loopback' },
  })
  try {
    return await pumpOtps({
      gatewayUrl: stack.gatewayUrl,
      simulatorUrl: stack.simulatorUrl,
      jwtSecret: JWT_SECRET,
      attacker,
      numbers,
      concurrency,
    })
  } finally {
    await stack.stop()
  }
}

async function main() {
  const numbers = Number(process.env.PUMPING_NUMBERS ?? 1000)
  // One request at a time reads plainly ("the 6th was refused"); more shows a parallel attacker
  // gets no further, since every count is one atomic statement.
  const concurrency = Number(process.env.PUMPING_CONCURRENCY ?? 1)
  const attackers: Attacker[] = ['one_user_one_ip', 'many_users_one_ip', 'many_users_many_ips']
  const results: PumpingResult[] = []
  for (const attacker of attackers) {
    const result = await runAttacker(attacker, numbers, concurrency)
    results.push(result)
    const stopped =
      result.first_refusal_at === null
        ? `NOT stopped: ${result.sms_at_privy} SMS for ${numbers} numbers`
        : `stopped after ${result.sms_at_privy} SMS (first 429 was OTP answer #${result.first_refusal_at})`
    process.stdout.write(
      `${attacker}: ${stopped}; ${result.refused_429} of ${numbers} OTP requests refused ` +
        `${JSON.stringify(result.refused_by_limit)}; ${(result.duration_ms / 1000).toFixed(1)} s\n`,
    )
  }
  const machine = `${process.platform} ${process.arch}, node ${process.version}, ${
    process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'
  }, concurrency ${concurrency}`
  const defaults = EnvSchema.parse({})
  const limits = {
    OTP_SENDS_PER_USER_PER_HOUR: defaults.OTP_SENDS_PER_USER_PER_HOUR,
    OTP_SENDS_PER_PHONE_PER_HOUR: defaults.OTP_SENDS_PER_PHONE_PER_HOUR,
    OTP_SENDS_PER_PHONE_PER_DAY: defaults.OTP_SENDS_PER_PHONE_PER_DAY,
    OTP_SENDS_PER_PHONE_BLOCK_PER_HOUR: defaults.OTP_SENDS_PER_PHONE_BLOCK_PER_HOUR,
    OTP_SENDS_PER_IP_PER_HOUR: defaults.OTP_SENDS_PER_IP_PER_HOUR,
    OTP_DAILY_BUDGET: defaults.OTP_DAILY_BUDGET,
  }
  process.stdout.write(`${JSON.stringify({ machine, limits, results }, null, 2)}\n`)
  if (results.some((result) => result.other_failures > 0)) process.exitCode = 1
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main()
