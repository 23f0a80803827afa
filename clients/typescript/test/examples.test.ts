import { spawn } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { PDFDocument } from 'pdf-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientFor } from '../../../test/helpers/client.js'
import { startTestGateway, type TestGateway } from '../../../test/helpers/gateway.js'
import { documentSigningFlow } from '../examples/document-signing.js'
import { landingPageFlow } from '../examples/landing-page.js'

// The README's examples, run as they are against a test gateway, so they cannot drift from the API.

let gateway: TestGateway

beforeAll(async () => {
  gateway = await startTestGateway()
})
afterAll(async () => {
  await gateway?.close()
})

describe('the examples', () => {
  it('landing page, then document signing: verified, completed, a signed PDF', async () => {
    const client = await clientFor(gateway, 'example-user', { maxRetries: 3 })
    const lines: string[] = []
    const log = (line: string) => lines.push(line)
    // No simulator address given: the example finds it from registration_url, as against `npm start`.
    const verified = await landingPageFlow(client, { log })
    expect(verified.registration).toMatchObject({ status: 'verified', privy_id: expect.any(String) })
    expect(verified.simulatorUrl).toBe(gateway.simulator.url)

    const { document, signedPdf } = await documentSigningFlow(client, verified.registration, {
      simulatorUrl: verified.simulatorUrl,
      log,
    })
    expect(document).toMatchObject({ status: 'completed', signed_pdf_available: true })
    expect((await PDFDocument.load(signedPdf)).getPageCount()).toBe(1)
    expect(lines.some((line) => line.includes('completed'))).toBe(true)
  })

  it('runs as a script with the settings `npm start` prints', async () => {
    const token = await gateway.userToken('example-script-user')
    const script = fileURLToPath(new URL('../examples/document-signing.ts', import.meta.url))
    const child = spawn(process.execPath, ['--conditions=@privy-gateway/source', '--import', 'tsx', script], {
      env: { ...process.env, GATEWAY_URL: gateway.url, GATEWAY_TOKEN: `Bearer ${token}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code, output).toBe(0)
    expect(output).toMatch(/registration .*: verified/)
    const written = /signed PDF written to (.*\.pdf)/.exec(output)?.[1]
    expect(written).toMatch(/signed-.*\.pdf$/)
    if (written) await rm(written)
  })
})
