import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { beforeAll, describe, expect, it } from 'vitest'
import { manyPages, nameFlood, numberFlood, refused } from '../fixtures/pdf/hostile.js'
import { upload } from '../helpers/api.js'
import {
  a4Pdf,
  documentCast,
  loanAgreement,
  type SignerUser,
  uploadForm,
  upstreamCount,
} from '../helpers/documents.js'
import { useGateway } from '../helpers/gateway.js'

/**
 * Issue 10's reproductions through the real upload route: PDFs built to exhaust the parser are refused
 * with 422 PDF_TOO_COMPLEX while the gateway keeps answering, and active content is refused by name.
 * Nothing of a refused upload is stored or sent to Privy.
 */

let officer: string
let alice: SignerUser

const gateway = useGateway()
beforeAll(async () => {
  ;({ officer, alice } = await documentCast(gateway, 'hostile', ['alice']))
})

const metadata = () => loanAgreement(alice)

async function stored() {
  return { rows: await gateway.database.prisma.document.count(), upstream: await upstreamCount(gateway) }
}

/**
 * Uploads `pdf` while probing GET /health/live one probe after another, and counts the probes that
 * were answered after the whole body had been sent and before the upload was answered: while the
 * gateway was reading the PDF. A parse on the event loop would hold every one of them until it ended.
 */
async function uploadWhileProbing(pdf: Buffer) {
  const boundary = `----hostile-${randomUUID()}`
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n${JSON.stringify(metadata())}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="hostile.pdf"\r\n` +
      'Content-Type: application/pdf\r\n\r\n',
  )
  let sent = false
  async function* body() {
    yield head
    for (let at = 0; at < pdf.length; at += 1_048_576) yield pdf.subarray(at, at + 1_048_576)
    yield Buffer.from(`\r\n--${boundary}--\r\n`)
    sent = true
  }
  let answered = false
  const upload = request(`${gateway.url}/v1/documents`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${officer}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
    body: Readable.from(body()),
  }).then(async (response) => {
    const text = await response.body.text()
    answered = true
    return { status: response.statusCode, json: JSON.parse(text) }
  })
  let probesWhileReading = 0
  while (!answered) {
    const probe = await request(`${gateway.url}/health/live`)
    await probe.body.dump()
    if (sent && !answered && probe.statusCode === 200) probesWhileReading += 1
    await sleep(10)
  }
  return { response: await upload, probesWhileReading }
}

describe('PDFs built to exhaust the parser (issue 10)', () => {
  // Each is refused by its cap, or by the 20 s deadline on a machine slow enough to reach that first.
  it.each([
    [
      'one dictionary of 520,000 distinct names',
      () => nameFlood(520_000, 17),
      /more than 500,000 PDF objects|took longer than 20 s/,
    ],
    [
      'one array of 5,000,000 numbers',
      () => numberFlood(5_000_000),
      /more than 500,000 PDF objects|took longer than 20 s/,
    ],
    ['100,000 pages', () => manyPages(100_000), /more than 2,000 pages|took longer than 20 s/],
  ])(
    '%s: 422 PDF_TOO_COMPLEX, and /health/live answers while it is read',
    async (_case, make, reason) => {
      const pdf = make()
      expect(pdf.length).toBeLessThan(10 * 1_048_576)
      const before = await stored()
      const { response, probesWhileReading } = await uploadWhileProbing(pdf)
      expect(response.status, JSON.stringify(response.json)).toBe(422)
      expect(response.json).toMatchObject({ code: 'PDF_TOO_COMPLEX', errors: [{ path: 'file' }] })
      expect(response.json.detail).toMatch(reason)
      expect(probesWhileReading).toBeGreaterThanOrEqual(3)
      expect(await stored()).toEqual(before)
    },
    90_000,
  )

  it('an ordinary PDF is still accepted after them', async () => {
    const created = await upload(gateway, { token: officer }, metadata(), await a4Pdf())
    expect(created.id).toEqual(expect.any(String)) // upload() asserted the 201
  })
})

describe('active content through the upload route', () => {
  const representative = [
    'an /OpenAction SubmitForm to a server',
    'a GoToR link to a network share',
    'an /OpenAction ImportData',
    'a link to javascript:',
    'an attachment (pdf-lib attach: /Names /EmbeddedFiles)',
    'JavaScript in a page /AA',
  ]
  it.each(refused.filter(([name]) => representative.includes(name)))(
    '%s: 422 naming it, nothing stored or sent',
    async (_case, make, start) => {
      const before = await stored()
      const response = await gateway.call('POST', '/v1/documents', {
        token: officer,
        form: uploadForm(await make(), metadata()),
      })
      expect(response.status, response.text).toBe(422)
      expect(response.headers['content-type']).toContain('application/problem+json')
      expect(response.json.errors).toEqual([
        { path: 'file', message: expect.stringMatching(new RegExp(`^${start}`)) },
      ])
      expect(await stored()).toEqual(before)
    },
  )

  it('covers every case named above', () => {
    expect(refused.filter(([name]) => representative.includes(name))).toHaveLength(representative.length)
  })
})
