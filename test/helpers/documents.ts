import { randomUUID } from 'node:crypto'
import { PDFDocument, PDFName, PDFString } from 'pdf-lib'
import { FormData, request } from 'undici'
import { beforeEach, expect } from 'vitest'
import { makePdf } from '../../src/simulator/testing/pdfs.js'
import { latestSimOtp, register, upload } from './api.js'
import { answered, clientFor, type TestCaller } from './client.js'
import type { TestGateway } from './gateway.js'
import { nikFor } from './identity.js'

export interface SignerUser {
  sub: string
  token: string
  registrationId: string
  privyId: string
}

let people = 0

/** An end user with a verified registration, registered through the gateway as themselves. */
export async function verifiedUser(gateway: TestGateway, sub: string): Promise<SignerUser> {
  const token = await gateway.userToken(sub)
  const dob = `19${80 + (people % 19)}-0${1 + (people % 9)}-1${people % 10}`
  people += 1
  const overrides = { phone_verified: true, nik: nikFor(dob), dob, email: `${sub}@example.co.id` }
  const created = await register(gateway, { token }, overrides)
  await gateway.sim('POST', `/__sim/registrations/${created.reference_number}/verify`, {
    outcome: 'verified',
  })
  const client = await clientFor(gateway, { token })
  const verified = await client.registrations.get(created.id, { refresh: true })
  expect(verified.status).toBe('verified')
  return { sub, token, registrationId: created.id, privyId: verified.privy_id ?? '' }
}

/**
 * The people of a document test file, made once it has its gateway: an officer's token
 * (`${prefix}-officer`) and a verified signer for each name (`${prefix}-${name}`).
 */
export async function documentCast<const Name extends string>(
  gateway: TestGateway,
  prefix: string,
  names: Name[],
): Promise<{ officer: string } & Record<Name, SignerUser>> {
  const signers = {} as Record<Name, SignerUser>
  for (const name of names) signers[name] = await verifiedUser(gateway, `${prefix}-${name}`)
  return { officer: await gateway.userToken(`${prefix}-officer`), ...signers }
}

export const A4_PAGE = { width: 595.28, height: 841.89 }

/** A fresh PDF each call: the gateway refuses the same PDF twice to the same signers (natural key). */
export async function a4Pdf(pages = 1): Promise<Buffer> {
  return distinctPdf(await makePdf({ pages: Array.from({ length: pages }, () => ({ ...A4_PAGE })) }))
}

/** The same pages, with a unique document subject: another PDF as far as its SHA-256 goes. */
export async function distinctPdf(bytes: Uint8Array): Promise<Buffer> {
  const pdf = await PDFDocument.load(bytes, { updateMetadata: false })
  pdf.setSubject(randomUUID())
  return Buffer.from(await pdf.save({ useObjectStreams: false }))
}

/** A `POST /v1/documents` body as is (metadata may be any text), for `gateway.call` (undici). */
export function uploadForm(pdf: Buffer, metadata: unknown, filename = 'agreement.pdf'): FormData {
  return fillUpload(new FormData(), pdf, metadata, filename)
}

/**
 * The same body as Node's own FormData, for the typed client's
 * `raw.POST('/v1/documents', { body: form as never })` (undici's FormData is another class).
 */
export function uploadBody(pdf: Buffer, metadata: unknown, filename = 'agreement.pdf'): globalThis.FormData {
  return fillUpload(new globalThis.FormData(), pdf, metadata, filename)
}

function fillUpload<F extends FormData | globalThis.FormData>(
  form: F,
  pdf: Buffer,
  metadata: unknown,
  filename: string,
): F {
  form.set('metadata', typeof metadata === 'string' ? metadata : JSON.stringify(metadata))
  form.set('file', new Blob([pdf], { type: 'application/pdf' }), filename)
  return form
}

export const signatureAt = (page: number, x: number, y: number) => ({
  page,
  x,
  y,
  width: 150,
  height: 75,
  unit: 'pt' as const,
})

/**
 * `POST /v1/documents` as `signer` of a fresh `pages`-page PDF that `signer` alone signs (by
 * registration id, in parallel) at `placement`, 201.
 */
export async function documentFor(
  gateway: TestGateway,
  signer: SignerUser,
  title: string,
  placement = signatureAt(1, 50, 50),
  pages = 1,
) {
  const signers = [
    { registration_id: signer.registrationId, role: 'signer' as const, placements: [placement] },
  ]
  return upload(
    gateway,
    { token: signer.token },
    { title, sign_process: 'parallel', signers },
    await a4Pdf(pages),
  )
}

/** The plainest valid upload: a loan agreement `signer` signs on page 1. */
export const loanAgreement = (signer: SignerUser) => ({
  title: 'Loan agreement',
  signers: [{ privy_id: signer.privyId, placements: [signatureAt(1, 50, 50)] }],
})

/**
 * Requests a signing OTP for `documentIds` as `caller` (the signer by default), reads the code the
 * simulator sent `signer`, and validates it: the last answer, as is (a refusal is read, not thrown).
 */
export async function signWithOtp(
  gateway: TestGateway,
  signer: SignerUser,
  documentIds: string[],
  caller: TestCaller = { token: signer.token },
) {
  const client = await clientFor(gateway, caller)
  const otp = await answered(
    await client.raw.POST('/v1/otp', {
      body: { otp_type: 'document_signing', otp_channel: 'sms', document_ids: documentIds },
    }),
  )
  if (otp.status !== 201 || otp.data === undefined) return otp
  const { code } = await latestSimOtp(gateway, { signer_privy_id: signer.privyId })
  return answered(
    await client.raw.POST('/v1/otp/{id}/validate', {
      params: { path: { id: otp.data.id } },
      body: { otp_code: code },
    }),
  )
}

/** The simulator's §5.1 upload path; a refused upload must not reach it. */
export const DOC_SIGNING_PATH = '/web/api/v2/doc-signing'

/** How many requests the simulator has received on `path` so far. */
export async function upstreamCount(gateway: TestGateway, path = DOC_SIGNING_PATH): Promise<number> {
  const response = await gateway.sim('GET', `/__sim/requests/count?path=${encodeURIComponent(path)}`)
  expect(response.status, response.text).toBe(200)
  return response.json.count
}

/**
 * For files of refused uploads: counts the stored documents and Privy's upload calls before each test,
 * and the returned check asserts that neither moved (a refusal stores nothing and sends nothing).
 */
export function nothingStoredOrSent(gateway: TestGateway): () => Promise<void> {
  let rows = 0
  let upstream = 0
  beforeEach(async () => {
    rows = await gateway.database.prisma.document.count()
    upstream = await upstreamCount(gateway)
  })
  return async () => {
    expect(await gateway.database.prisma.document.count()).toBe(rows)
    expect(await upstreamCount(gateway)).toBe(upstream)
  }
}

/** The simulator's whole view of a document (`GET /__sim/documents/:reference_number`). */
export async function simDocumentOf(gateway: TestGateway, referenceNumber: string) {
  const response = await gateway.sim('GET', `/__sim/documents/${referenceNumber}`)
  expect(response.status, response.text).toBe(200)
  return response.json
}

/** `GET /v1/documents/:id/signed.pdf` with its raw bytes. */
export async function downloadSignedPdf(gateway: TestGateway, id: string, token: string) {
  const response = await request(`${gateway.url}/v1/documents/${id}/signed.pdf`, {
    headers: { authorization: `Bearer ${token}` },
  })
  const bytes = Buffer.from(await response.body.arrayBuffer())
  return { status: response.statusCode, headers: response.headers, bytes }
}

/** A square e-Meterai placement in points. */
export const stampAt = (page: number, x: number, y: number, dimension = 80) => ({
  page,
  x,
  y,
  width: dimension,
  height: dimension,
  unit: 'pt' as const,
})

/**
 * A valid one-page A4 PDF of exactly `size` bytes, padded with a string in its catalog (so its structure and
 * cross-reference offsets stay right). Throws when `size` is below the unpadded size.
 */
export async function pdfOfExactSize(size: number): Promise<Buffer> {
  const build = async (padding: number) => {
    const pdf = await PDFDocument.create()
    pdf.addPage([A4_PAGE.width, A4_PAGE.height])
    // A literal string (one byte a character); pdf-lib writes setSubject's text as UTF-16 hex.
    pdf.catalog.set(PDFName.of('TestPadding'), PDFString.of('a'.repeat(padding)))
    pdf.setCreationDate(new Date(Date.UTC(2024, 0, 1)))
    pdf.setModificationDate(new Date(Date.UTC(2024, 0, 1)))
    return Buffer.from(await pdf.save({ useObjectStreams: false }))
  }
  let padding = 1
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const bytes = await build(padding)
    if (bytes.length === size) return bytes
    padding += size - bytes.length
    if (padding < 1) throw new Error(`no valid PDF this builder makes is as small as ${size} bytes`)
  }
  throw new Error(`could not build a PDF of exactly ${size} bytes`)
}
