import { readFileSync } from 'node:fs'
import { request } from 'undici'
import { beforeAll, describe, expect, it } from 'vitest'
import { getRegistration } from '../helpers/api.js'
import { clientFor } from '../helpers/client.js'
import { useGateway } from '../helpers/gateway.js'
import { scrape } from '../helpers/prometheus.js'

const gateway = useGateway({ METRICS_PORT: '0', BACKGROUND_JOBS_ENABLED: 'false', OTP_DAILY_BUDGET: '500' })
let metricsUrl: string
beforeAll(() => {
  metricsUrl = gateway.app.metricsUrl() ?? ''
})

/** A landing-page registration of `user`, through the typed client. */
async function registerUser(user: string, name: string, email: string, phone: string) {
  const client = await clientFor(gateway, user)
  return client.registrations.create({ registration_type: 'landing_page', name, email, phone })
}

const REQUESTS = 'privy_gateway_http_request_duration_seconds'
const PRIVY = 'privy_gateway_privy_request_duration_seconds'

describe('Prometheus metrics on METRICS_PORT', () => {
  it('listens on a port of its own, not on the API', async () => {
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/)
    expect(new URL(metricsUrl).port).not.toBe(new URL(gateway.url).port)
    expect((await gateway.call('GET', '/metrics')).status).toBe(404)
    const other = await request(metricsUrl.replace('/metrics', '/v1/registrations'))
    expect(other.statusCode).toBe(404)
    await other.body.dump()
  })

  it('counts a registration: its request by route template, its Privy call by operation and outcome', async () => {
    const before = await scrape(metricsUrl)
    const created = await registerUser(
      'user-metrics',
      'Siti Aminah',
      'siti.metrics@example.co.id',
      '6281234567890',
    )
    const read = await getRegistration(gateway, 'user-metrics', created.id)
    expect(read.id).toBe(created.id)
    const after = await scrape(metricsUrl)

    const post = { method: 'POST', route: '/v1/registrations', status_code: '201' }
    expect(after.count(REQUESTS, post) - before.count(REQUESTS, post)).toBe(1)
    // The template, never the id: one series for every registration read.
    const get = { method: 'GET', route: '/v1/registrations/:id', status_code: '200' }
    expect(after.count(REQUESTS, get) - before.count(REQUESTS, get)).toBe(1)
    expect(JSON.stringify(after.families)).not.toContain(created.id)

    const register = { operation: 'registrations.register', outcome: 'ok' }
    expect(after.count(PRIVY, register) - before.count(PRIVY, register)).toBe(1)
    expect(after.value('privy_gateway_privy_token_fetches_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(
      1,
    )
  })

  it('reads the backlog gauges from the database on scrape', async () => {
    const before = await scrape(metricsUrl)
    const unknown = { kind: 'registration', state: 'unknown' }
    expect(before.value('privy_gateway_submissions', unknown)).toBe(0)
    expect(
      before.value('privy_gateway_unknown_submission_oldest_age_seconds', { kind: 'registration' }),
    ).toBe(0)
    expect(before.value('privy_gateway_privy_callbacks', { state: 'received' })).toBe(0)
    expect(before.value('privy_gateway_webhook_outbox_pending')).toBeGreaterThanOrEqual(0)
    expect(before.value('privy_gateway_webhook_deliveries_due')).toBe(0)
    expect(before.value('privy_gateway_otp_sends_today', { kind: 'budget' })).toBe(500)
    expect(before.value('privy_gateway_otp_sends_today', { kind: 'spent' })).toBe(0)

    // A create whose answer was lost a minute ago.
    const created = await registerUser(
      'user-metrics-unknown',
      'Budi Santoso',
      'budi.metrics@example.co.id',
      '6281298765432',
    )
    await gateway.database.prisma.registration.update({
      where: { id: created.id },
      data: { submission: 'unknown', createdAt: new Date(Date.now() - 60_000) },
    })
    const after = await scrape(metricsUrl)
    expect(after.value('privy_gateway_submissions', unknown)).toBe(1)
    const age = after.value('privy_gateway_unknown_submission_oldest_age_seconds', { kind: 'registration' })
    expect(age).toBeGreaterThanOrEqual(59)
    expect(age).toBeLessThan(600)
  })

  it('reports the pools and the default process metrics', async () => {
    const taken = await scrape(metricsUrl)
    expect(taken.value('process_cpu_user_seconds_total')).toBeGreaterThan(0)
    expect(taken.value('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0)
    if (gateway.database.kind === 'postgres') {
      expect(taken.value('privy_gateway_database_pool_connections', { state: 'max' })).toBeGreaterThan(0)
    }
    expect(taken.value('privy_gateway_pdf_pool_jobs', { kind: 'queued' })).toBe(0)
  })

  it('serves every series the sample Grafana dashboard queries', async () => {
    const dashboard = readFileSync(new URL('../../docker/grafana-dashboard.json', import.meta.url), 'utf8')
    const queried = new Set(dashboard.match(/\b(privy_gateway|nodejs)_\w+/g))
    expect(queried.size).toBeGreaterThan(10)
    const served = new Set(
      (await scrape(metricsUrl)).families.flatMap((family) =>
        family.type === 'HISTOGRAM'
          ? [`${family.name}_bucket`, `${family.name}_count`, `${family.name}_sum`]
          : [family.name],
      ),
    )
    expect([...queried].filter((name) => !served.has(name))).toEqual([])
  })
})
