import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { SimContext } from './context.js'
import type { DocumentRefInput, UploadInput } from './document-schemas.js'
import {
  type DocumentStatus,
  type PlacedBox,
  SIGNATURE_BOX,
  type SimDocument,
  type SimSigner,
} from './document-types.js'
import { type ErrorItem, SimError } from './errors.js'
import { boxProblem, decodePdfDataUrl, documentGeometry, loadPdf, PdfProblem, pageProblem } from './pdf.js'

/** Document behaviour of docs/privy-contract.md §5.1, §5.3-§5.5 apart from HTTP; signing is in document-flow.ts. */

/** Problems found after the body parsed, gathered so that one answer lists them all (docs/privy-contract.md §1 field errors). */
class FieldProblems {
  private readonly byField = new Map<string, string[]>()

  add(field: string, message: string): void {
    this.byField.set(field, [...(this.byField.get(field) ?? []), message])
  }

  throwIfAny(): void {
    if (this.byField.size === 0) return
    const errors: ErrorItem[] = [...this.byField].map(([field, messages]) => ({ field, messages }))
    throw new SimError(422, errors)
  }
}

function sameSecret(expected: string, received: string): boolean {
  const a = Buffer.from(expected, 'utf8')
  const b = Buffer.from(received, 'utf8')
  return a.length === b.length && timingSafeEqual(a, b)
}

type Recipient = NonNullable<UploadInput['recipients']>[number]

function signatureBoxes(recipient: Recipient, index: number): PlacedBox[] {
  return recipient.sign_positions.map((position, positionIndex) => ({
    page: position.signPage,
    x: position.posX,
    y: position.posY,
    ...SIGNATURE_BOX,
    field: `recipients.${index}.sign_positions.${positionIndex}`,
  }))
}

function stampBoxes(input: UploadInput): PlacedBox[] {
  return (input.e_meterai?.stamp_position ?? []).map((position, index) => ({
    page: position.page,
    x: position.pos_x,
    y: position.pos_y,
    width: position.dimension,
    height: position.dimension,
    field: `e_meterai.stamp_position.${index}`,
  }))
}

/** Reads the PDF and checks every box against its page; returns the bytes and the page count. */
async function checkPdf(input: UploadInput, boxes: PlacedBox[], problems: FieldProblems) {
  try {
    const bytes = decodePdfDataUrl(input.document.document_file)
    const pages = documentGeometry(await loadPdf(bytes))
    for (const box of boxes) {
      const pageIssue = pageProblem(pages, box.page)
      const pageField = box.field.startsWith('e_meterai') ? 'page' : 'signPage'
      if (pageIssue !== undefined) problems.add(`${box.field}.${pageField}`, pageIssue)
      const page = pages[box.page - 1]
      const boxIssue = pageIssue === undefined && page !== undefined ? boxProblem(page, box) : undefined
      if (boxIssue !== undefined) problems.add(box.field, boxIssue)
    }
    return { bytes, pageCount: pages.length }
  } catch (error) {
    if (!(error instanceof PdfProblem)) throw error
    problems.add('document.document_file', error.message)
    return undefined
  }
}

function requireNewReference(context: SimContext, input: UploadInput): void {
  if (context.state.document(input.channel_id, input.reference_number) !== undefined) {
    throw new SimError(409, [`reference_number ${input.reference_number} is already used on this channel`])
  }
}

/**
 * docs/privy-contract.md §5.1 after the body is valid. Order of refusals: unknown channel (403), a doc_owner that is not
 * the configured enterprise (403), repeated reference number on the channel (409), then every
 * remaining problem at once (422): signers that are not verified Privy users, the PDF, the boxes.
 */
export async function createDocument(
  context: SimContext,
  input: UploadInput,
  publicUrl: string,
): Promise<SimDocument> {
  if (!context.channels.has(input.channel_id)) {
    throw new SimError(403, [`channel_id ${input.channel_id} is not a channel of this merchant`])
  }
  const owner = input.doc_owner
  const ownerMatches = [
    sameSecret(context.enterprise.privyId, owner.privyId),
    sameSecret(context.enterprise.enterpriseToken, owner.enterpriseToken),
  ].every(Boolean)
  if (!ownerMatches) throw new SimError(403, ["doc_owner is not this merchant's enterprise account"])
  requireNewReference(context, input)
  const problems = new FieldProblems()
  const recipients = input.recipients ?? []
  recipients.forEach((recipient, index) => {
    if (context.state.registrationByPrivyId(recipient.id_user) === undefined) {
      problems.add(
        `recipients.${index}.id_user`,
        `${recipient.id_user} is not the privy_id of a verified Privy registration`,
      )
    }
  })
  const boxesBySigner = recipients.map(signatureBoxes)
  const stamps = stampBoxes(input)
  const pdf = await checkPdf(input, [...boxesBySigner.flat(), ...stamps], problems)
  problems.throwIfAny()
  if (pdf === undefined) throw new SimError(422, ['document.document_file could not be read'])
  // Reading the PDF awaited: a concurrent upload with the same reference may have won meanwhile.
  requireNewReference(context, input)

  const now = context.now()
  const signingToken = randomBytes(24).toString('base64url')
  const signers: SimSigner[] = recipients.map((recipient, index) => ({
    privyId: recipient.id_user,
    signerType: recipient.signer_type,
    notifyUser: recipient.notify_user,
    status: 'waiting',
    signedAt: undefined,
    boxes: boxesBySigner[index] ?? [],
    histories: [{ description: 'Document uploaded', createdAt: now }],
  }))
  const document: SimDocument = {
    referenceNumber: input.reference_number,
    channelId: input.channel_id,
    documentToken: randomBytes(24).toString('base64url'),
    signingToken,
    signingUrl: `${publicUrl}/sign/${signingToken}`,
    info: input.info,
    documentName: input.document.document_name,
    docProcess: input.doc_process,
    visibility: input.visibility,
    signProcess: input.document.sign_process ? 'parallel' : 'serial',
    status: 'uploaded',
    signers,
    emeterai:
      input.e_meterai === undefined
        ? undefined
        : {
            docCategory: input.e_meterai.doc_category,
            status: 'waiting',
            serialNumber: undefined,
            stampedAt: undefined,
            stamps,
          },
    pageCount: pdf.pageCount,
    uploadedPdf: pdf.bytes,
    signedPdf: undefined,
    failure: undefined,
    createdAt: now,
    updatedAt: now,
    deletedAt: undefined,
  }
  context.state.addDocument(document)
  context.events.document(document, 'created')
  return document
}

/** The document a merchant call names; one answer for an unknown reference and a wrong token. */
export function merchantDocument(context: SimContext, input: DocumentRefInput): SimDocument {
  const document = context.state.document(input.channel_id, input.reference_number)
  if (document === undefined || document.documentToken !== input.document_token) {
    throw new SimError(404, ['Document not found'])
  }
  return document
}

/** Every document status change goes through here, so docs/privy-contract.md §6 callbacks see it. */
export function changeDocumentStatus(context: SimContext, document: SimDocument, status: DocumentStatus) {
  document.status = status
  document.updatedAt = context.now()
  context.events.document(document, 'status_changed')
}

export function addHistory(context: SimContext, signer: SimSigner, description: string): void {
  signer.histories.push({ description, createdAt: context.now() })
}

/** Signers block completion; reviewers never do (docs/privy-contract.md §5.2). */
export function requiredSigners(document: SimDocument): SimSigner[] {
  return document.signers.filter((signer) => signer.signerType === 'Signer')
}

export function allSignersSigned(document: SimDocument): boolean {
  return requiredSigners(document).every((signer) => signer.status === 'signed')
}

/**
 * docs/privy-contract.md §5.5: refused (422) once every signer has signed, when completed or already revoked (the
 * guideline's rule), and for any other status than uploaded, since only an uploaded document can
 * become revoked in the docs/privy-contract.md §5.2 state machine [decided here].
 */
export function revokeDocument(context: SimContext, document: SimDocument): void {
  if (document.status === 'revoked') throw new SimError(422, ['Document is already revoked'])
  if (document.status === 'completed')
    throw new SimError(422, ['Document is completed; it cannot be revoked'])
  if (allSignersSigned(document)) {
    throw new SimError(422, ['Every signer has signed; the document can no longer be revoked'])
  }
  if (document.status !== 'uploaded') {
    throw new SimError(422, [`Document is ${document.status}; only an uploaded document can be revoked`])
  }
  document.deletedAt = context.now()
  for (const signer of document.signers) addHistory(context, signer, 'Document revoked')
  changeDocumentStatus(context, document, 'revoked')
}
