import { type Browser, chromium, type Locator, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getRegistration } from '../helpers/api.js'
import { ensureDebianPackage } from '../helpers/debian-package.js'
import { startTestGateway, useGateway } from '../helpers/gateway.js'
import { photo } from '../helpers/identity.js'

/**
 * Swagger UI as an operator uses it, in Debian's headless Chromium (.ci/run installs it when
 * missing): authorize with a user token, register with two image files by multipart, send an OTP.
 * What the browser sends is checked again through the API, so the 201s are the gateway's own.
 */
const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

let browser: Browser

beforeAll(async () => {
  await ensureDebianPackage('chromium', CHROMIUM)
}, 600_000) // on a fresh machine this installs Chromium first
const gateway = useGateway()
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS })
})
afterAll(async () => {
  await browser?.close()
})

/** An operation's block, found as Swagger UI shows it: its method and path. */
function operation(page: Page, method: string, path: string): Locator {
  return page
    .locator('.opblock')
    .filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) })
    .filter({ has: page.locator('.opblock-summary-method', { hasText: new RegExp(`^${method}$`) }) })
}

async function tryItOut(block: Locator): Promise<void> {
  await block.locator('.opblock-summary').click()
  await block.locator('.try-out__btn').click()
}

/** Presses Execute and answers the status and body Swagger UI shows for the live response. */
async function execute(block: Locator): Promise<{ status: number; body: unknown }> {
  await block.locator('.execute').click()
  const live = block.locator('.live-responses-table .response')
  await live.first().waitFor({ timeout: 20_000 })
  const status = Number((await live.locator('.response-col_status').first().textContent())?.trim())
  const text = await live.locator('.response-col_description pre.microlight').first().textContent()
  return { status, body: JSON.parse(text ?? '') }
}

describe('Swagger UI at /docs, in a headless browser', () => {
  it('authorizes with a user token, registers with two image files by multipart and sends an OTP', async () => {
    const token = await gateway.userToken('swagger-operator-check')
    const page = await browser.newPage()
    // A stuck step names its locator instead of running into the test's timeout.
    page.setDefaultTimeout(20_000)
    try {
      await page.goto(`${gateway.url}/docs/`)

      await page.locator('.btn.authorize').first().click()
      const bearer = page.locator('.auth-container').filter({ hasText: 'bearerAuth' })
      await bearer.locator('input').fill(token)
      await bearer.locator('button[type=submit]').click()
      await expect.poll(() => bearer.locator('.btn-done').isVisible()).toBe(true)
      await bearer.locator('.btn-done').click()

      const create = operation(page, 'POST', '/v1/registrations')
      await tryItOut(create)
      await create.locator('select.content-type').first().selectOption('multipart/form-data')
      const field = (name: string) => create.locator(`tr[data-property-name="${name}"]`)
      // The form starts from the documented examples: a NIK whose birth date matches dob, a +62 phone.
      expect(await field('nik').locator('input').inputValue()).toMatch(/^\d{16}$/)
      await field('registration_type').locator('select').selectOption('privy_ra')
      await field('email').locator('input').fill('swagger.ui@example.co.id')
      const [ktp, selfie] = await Promise.all([photo('jpeg'), photo('png', 480, 640, 7)])
      await field('ktp').locator('input[type=file]').setInputFiles({
        name: 'ktp.jpg',
        mimeType: 'image/jpeg',
        buffer: ktp,
      })
      await field('selfie').locator('input[type=file]').setInputFiles({
        name: 'selfie.png',
        mimeType: 'image/png',
        buffer: selfie,
      })
      const registered = await execute(create)
      expect(registered.status, JSON.stringify(registered.body)).toBe(201)
      const registration = registered.body as { id: string; status: string; registration_type: string }
      expect(registration).toMatchObject({ registration_type: 'privy_ra', status: 'waiting_otp' })
      // The curl Swagger UI shows is what it sent: files as parts, not base64 text.
      expect(await create.locator('.curl-command').textContent()).toMatch(
        /-F 'ktp=@ktp\.jpg;type=image\/jpeg'/,
      )

      const otp = operation(page, 'POST', '/v1/otp')
      await tryItOut(otp)
      await otp
        .locator('textarea.body-param__text')
        .fill(
          JSON.stringify({ otp_type: 'registration', otp_channel: 'sms', registration_id: registration.id }),
        )
      const sent = await execute(otp)
      expect(sent.status, JSON.stringify(sent.body)).toBe(201)
      expect(sent.body).toMatchObject({ otp_type: 'registration', registration_id: registration.id })

      // The same user, through the API: the registration and its OTP are really there.
      // getRegistration asserts the 200.
      const stored = await getRegistration(gateway, { token }, registration.id)
      expect(stored).toMatchObject({ id: registration.id, status: 'waiting_otp' })
    } finally {
      await page.close()
    }
  }, 180_000)
})

describe('DOCS_ENABLED=false', () => {
  it('serves neither Swagger UI nor the document, and the API still answers', async () => {
    const closed = await startTestGateway({ DOCS_ENABLED: 'false' }, { simulator: gateway.simulator })
    try {
      for (const path of ['/docs', '/docs/', '/docs/json', '/openapi.json']) {
        const answer = await closed.call('GET', path)
        expect(answer.status, path).toBe(404)
        expect(answer.text, path).not.toContain('swagger')
      }
      expect((await closed.call('GET', '/health/live')).status).toBe(200)
      // The generator stays: `npm run openapi` and the drift tests need it whatever the setting.
      expect((closed.app.swagger() as { openapi?: string }).openapi).toBe('3.1.0')
    } finally {
      await closed.close()
    }
  })
})
