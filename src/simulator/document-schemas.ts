import { z } from 'zod'
import { DOC_CATEGORIES, DOC_PROCESSES } from './document-types.js'
import { channelId, type Issue, nonBlank, otpChannel, referenceNumber, text } from './schemas.js'

/**
 * Request bodies of docs/privy-contract.md §4.2 and §5, written from docs/privy-contract.md like schemas.ts and as
 * strict: an unknown key is usually a misspelt field (`pos_x` in a sign position, `posX` in a stamp).
 * The PDF itself and whether a box lies on its page are checked after parsing (documents.ts).
 */

const required = (wrongType: string) => (issue: Issue) =>
  issue.input === undefined ? 'is required' : wrongType

/** docs/privy-contract.md §5.1: flags arrive as "0"/"1" strings; booleans are accepted too [known]. */
const flag = z
  .union([z.boolean(), z.literal('0'), z.literal('1')], {
    error: required('must be "0" or "1" (or a boolean)'),
  })
  .transform((value) => value === true || value === '1')

/** Points may arrive as numbers or numeric strings ("12.5"); anything else is a client bug. */
const points = z
  .union([z.number(), z.string().regex(/^-?(?:\d+(?:\.\d*)?|\.\d+)$/)], {
    error: required('must be a number of points (or a numeric string)'),
  })
  .transform(Number)

/** 1-based; whether the page exists is known only once the PDF is read. */
const pageNumber = z
  .union([z.number().int(), z.string().regex(/^-?\d+$/)], {
    error: required('must be a whole page number (or a numeric string)'),
  })
  .transform(Number)

const signPosition = z.strictObject({ posX: points, posY: points, signPage: pageNumber })

const recipient = z.strictObject({
  user_type: z.literal('0', { error: required('must be "0" (a registered Privy user)') }),
  id_user: nonBlank(),
  signer_type: z.enum(['Signer', 'Reviewer'], { error: required('must be Signer or Reviewer') }),
  notify_user: flag,
  sign_positions: z.array(signPosition, { error: required('must be an array of positions') }),
})

const stampPosition = z.strictObject({
  pos_x: points,
  pos_y: points,
  page: pageNumber,
  dimension: points.refine((value) => value > 0, 'must be more than 0'),
})

const eMeterai = z.strictObject({
  doc_category: z.enum(DOC_CATEGORIES, { error: required(`must be one of ${DOC_CATEGORIES.join(', ')}`) }),
  stamp_position: z.array(stampPosition, { error: required('must be an array of positions') }).min(1),
})

const documentObject = z.strictObject({
  document_file: text(),
  document_name: nonBlank(),
  /** "0" serial, "1" parallel. */
  sign_process: flag,
})

const docOwner = z.strictObject({ privyId: nonBlank(), enterpriseToken: nonBlank() })

type UploadShape = {
  doc_process: (typeof DOC_PROCESSES)[number]
  visibility: boolean
  recipients?: Array<{ id_user: string; signer_type: string; sign_positions: unknown[] }> | undefined
  e_meterai?: unknown
}

/** docs/privy-contract.md §5.1 rules between fields; the contract is silent on the ones marked [decided here]. */
function crossFieldIssues(body: UploadShape, context: z.RefinementCtx): void {
  const issue = (path: Array<string | number>, message: string) =>
    context.addIssue({ code: 'custom', path, message })
  const stamping = body.doc_process !== '0'
  if (stamping && body.e_meterai === undefined) {
    issue(['e_meterai'], 'is required when doc_process is "1", "2" or "3"')
  }
  if (!stamping && body.e_meterai !== undefined) {
    issue(['e_meterai'], 'must be absent when doc_process is "0" (sign only)')
  }
  const recipients = body.recipients
  if (body.doc_process === '1') {
    // [decided here] e-Meterai only has no signers: recipients would wait for ever.
    if (recipients !== undefined && recipients.length > 0) {
      issue(['recipients'], 'must be absent or empty when doc_process is "1" (e-Meterai only)')
    }
    return
  }
  if (recipients === undefined) {
    issue(['recipients'], 'is required unless doc_process is "1"')
    return
  }
  if (!recipients.some((item) => item.signer_type === 'Signer')) {
    issue(['recipients'], 'must contain at least one Signer')
  }
  const seen = new Set<string>()
  recipients.forEach((item, index) => {
    if (seen.has(item.id_user)) issue(['recipients', index, 'id_user'], 'appears twice in recipients')
    seen.add(item.id_user)
    if (body.visibility && item.signer_type === 'Signer' && item.sign_positions.length === 0) {
      issue(['recipients', index, 'sign_positions'], 'must hold at least one position when visibility is on')
    }
  })
}

/** docs/privy-contract.md §5.1 `POST /web/api/v2/doc-signing`. */
export const uploadSchema = z
  .strictObject({
    reference_number: referenceNumber,
    channel_id: channelId,
    info: text().optional(),
    doc_process: z.enum(DOC_PROCESSES, { error: required('must be "0", "1", "2" or "3" (a string)') }),
    visibility: flag,
    doc_owner: docOwner,
    document: documentObject,
    recipients: z.array(recipient, { error: required('must be an array') }).optional(),
    e_meterai: eMeterai.optional(),
  })
  .superRefine(crossFieldIssues)
export type UploadInput = z.output<typeof uploadSchema>

/** docs/privy-contract.md §5.3 status, docs/privy-contract.md §5.4 history and docs/privy-contract.md §5.5 delete name a document the same way. */
export const documentRefSchema = z.strictObject({
  reference_number: referenceNumber,
  channel_id: channelId,
  document_token: nonBlank(),
})
export type DocumentRefInput = z.output<typeof documentRefSchema>

/** docs/privy-contract.md §4.2 `POST /web/api/v2/doc-signing/otp/request`. */
export const signingOtpSchema = z
  .strictObject({
    channel_id: channelId,
    signer_privy_id: nonBlank(),
    document_tokens: z.array(nonBlank(), { error: required('must be an array of document tokens') }).min(1),
    otp_channel: otpChannel,
  })
  .superRefine((body, context) => {
    body.document_tokens.forEach((token, index) => {
      if (body.document_tokens.indexOf(token) !== index) {
        context.addIssue({ code: 'custom', path: ['document_tokens', index], message: 'appears twice' })
      }
    })
  })
export type SigningOtpInput = z.output<typeof signingOtpSchema>
