import { z } from 'zod'
import { text } from '../../lib/text.js'
import { DOCUMENT_STATUSES } from '../../privy/index.js'
import { ListFilterFields } from '../list-filters.js'
import { PlacementInputSchema } from '../placements.js'
import { SubmissionSchema } from '../submission.js'

/** docs/privy-contract.md §5.1 `doc_category` codes of the e-Meterai. */
export const E_METERAI_CATEGORIES = [
  'surat_perjanjian',
  'surat_pernyataan',
  'akta_notaris',
  'akta_pejabat',
  'surat_berharga',
  'dokumen_transaksi',
  'dokumen_lelang',
  'dokumen_pernyataan_jumlah_uang',
  'dokumen_penerimaan_uang',
  'dokumen_hutang',
  'dokumen_lain_lain',
] as const

/** An e-Meterai stamp asked for with a document or a template. */
export const EMeteraiInputSchema = z.strictObject({
  category: z.enum(E_METERAI_CATEGORIES),
  placements: z.array(PlacementInputSchema).min(1).max(10),
  order: z
    .enum(['after_signing', 'before_signing'])
    .default('after_signing')
    .describe('When the stamp is applied, if there are signers too'),
})

const SignerInputSchema = z
  .strictObject({
    registration_id: z.uuid('must be a registration id (UUID)').optional(),
    privy_id: text({ min: 1, max: 64, trim: true }).optional().meta({ example: 'SIAM4201' }),
    role: z.enum(['signer', 'reviewer']).default('signer'),
    placements: z.array(PlacementInputSchema).min(1, 'place the signature at least once').max(20),
  })
  .refine((signer) => (signer.registration_id === undefined) !== (signer.privy_id === undefined), {
    message: 'name the signer by registration_id or by privy_id (exactly one)',
  })

/** How the people named sign, as a document and a template both say it (`who`: "signers", "roles"). */
export function signingFields(who: string) {
  return {
    sign_process: z
      .enum(['serial', 'parallel'])
      .default('parallel')
      .describe(`serial: ${who} sign in the order given; parallel: in any order`),
    visibility: z.boolean().default(true).describe('Whether signatures are drawn on the pages'),
  }
}

/**
 * The rules a list of people to sign obeys, named `list` in its metadata (documents: `signers`,
 * templates: `roles`): someone signs or an e-Meterai is asked for, and someone has the role signer.
 */
export function withSignerRules<Schema extends z.ZodType<{ e_meterai?: unknown }>>(
  schema: Schema,
  list: string,
  noun: string,
) {
  const people = (metadata: object) => (metadata as Record<string, Array<{ role: string }>>)[list] ?? []
  return schema
    .refine((metadata) => people(metadata).length > 0 || metadata.e_meterai !== undefined, {
      message: `name at least one ${noun}, or ask for an e-Meterai`,
      path: [list],
    })
    .refine(
      (metadata) => people(metadata).length === 0 || people(metadata).some((one) => one.role === 'signer'),
      { message: `at least one of the ${list} must have the role signer`, path: [list] },
    )
}

export const DocumentMetadataSchema = withSignerRules(
  z.strictObject({
    title: text({ min: 1, max: 200, trim: true }).meta({ example: 'Perjanjian Kerja Sama Distribusi 2026' }),
    ...signingFields('signers'),
    signers: z.array(SignerInputSchema).max(20).default([]),
    e_meterai: EMeteraiInputSchema.optional(),
  }),
  'signers',
  'signer',
).meta({ id: 'DocumentMetadata' })

export type DocumentMetadata = z.infer<typeof DocumentMetadataSchema>

/** Every field spelled out, defaults included: the document's `DocumentMetadata` shows them required. */
const METADATA_EXAMPLE = {
  title: 'Perjanjian Kerja Sama Distribusi 2026',
  sign_process: 'parallel',
  visibility: true,
  signers: [
    {
      privy_id: 'SIAM4201',
      role: 'signer',
      placements: [{ page: 1, x: 400, y: 700, width: 150, height: 75, unit: 'pt' }],
    },
  ],
}

/** For OpenAPI only: the route reads the multipart body itself, streaming and capped. */
export const DocumentUploadBodySchema = z
  .object({
    file: z
      .string()
      .meta({ format: 'binary' })
      .describe('The PDF (at most DOCUMENT_MAX_BYTES, 10 MiB by default)'),
    metadata: z
      .string()
      .describe('JSON text of DocumentMetadata')
      .meta({ example: JSON.stringify(METADATA_EXAMPLE) })
      // JSON Schema's way to say what the text holds: its string fields are checked like any other.
      .meta({
        contentMediaType: 'application/json',
        contentSchema: { $ref: '#/components/schemas/DocumentMetadata' },
      }),
  })
  .meta({ id: 'DocumentUpload' })

/** A template role's name: what `signers[].role` of a document sent from it names. */
export const RoleNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1 to 64 letters, digits, `_`, `.` or `-`')
  .meta({ example: 'borrower' })

/** POST /v1/documents as JSON: a document sent from a template, one signer per role. */
export const DocumentFromTemplateSchema = z
  .strictObject({
    template_id: z.uuid('must be a template id (UUID)'),
    title: text({ min: 1, max: 200, trim: true }).meta({ example: 'Perjanjian Kredit 0042' }),
    signers: z
      .array(
        z
          .strictObject({
            role: RoleNameSchema,
            registration_id: z.uuid('must be a registration id (UUID)').optional(),
            privy_id: text({ min: 1, max: 64, trim: true }).optional().meta({ example: 'SIAM4201' }),
          })
          .refine((signer) => (signer.registration_id === undefined) !== (signer.privy_id === undefined), {
            message: 'name the signer by registration_id or by privy_id (exactly one)',
          }),
      )
      .max(20)
      .describe("One signer for each of the template's roles"),
    sign_process: z.enum(['serial', 'parallel']).optional().describe("The template's unless given"),
    visibility: z.boolean().optional().describe("The template's unless given"),
  })
  .meta({ id: 'DocumentFromTemplate' })
export type DocumentFromTemplate = z.infer<typeof DocumentFromTemplateSchema>

export const DocumentIdParamsSchema = z.strictObject({ id: z.uuid('must be a document id (UUID)') })

export const ListDocumentsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: text({ max: 200 }).optional(),
  submission: SubmissionSchema.optional().describe(
    'Only documents in this submission state; operators list `unresolved` ones to check with Privy',
  ),
  status: z
    .enum(['pending', ...DOCUMENT_STATUSES])
    .optional()
    .describe('Only documents that read with this status (`pending`: Privy has not confirmed the upload)'),
  ...ListFilterFields,
  awaiting: z
    .enum(['me'])
    .optional()
    .describe(
      "Users only: documents where it is the caller's turn to sign (open, their signature still " +
        'waiting, and for serial signing every earlier signer has signed). Not with `status`, ' +
        '`submission` or `owner`',
    ),
})
export type ListDocumentsQuery = z.infer<typeof ListDocumentsQuerySchema>

export const RevokeDocumentBodySchema = z
  .strictObject({
    reason: text({ min: 1, max: 500, trim: true })
      .optional()
      .describe("Why it is revoked: kept in the document's history with who revoked it")
      .meta({ example: 'The borrower withdrew the application' }),
  })
  .meta({ id: 'DocumentRevoke' })
export type RevokeDocumentBody = z.infer<typeof RevokeDocumentBodySchema>

export const GetDocumentQuerySchema = z.strictObject({
  refresh: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => value === 'true'),
})

/** What a document reads as: `pending` until Privy confirmed the upload (see `submission`). */
export const DOCUMENT_VIEW_STATUSES = ['pending', ...DOCUMENT_STATUSES] as const

/** A box as sent to Privy: points from the top-left of the page as a viewer shows it, tags resolved. */
const ResolvedPlacementSchema = z
  .object({
    page: z.int(),
    x: z.number(),
    y: z.number(),
    width: z.number(),
    height: z.number(),
  })
  .meta({ id: 'ResolvedPlacement', example: { page: 1, x: 400, y: 690, width: 120, height: 60 } })

export const DocumentSchema = z
  .object({
    id: z.uuid(),
    reference_number: z.string().meta({ example: 'DOC-5D2E8B7A1C9F4E3B8A6D0F2C7E1B9A4D' }),
    title: z.string().meta({ example: 'Perjanjian Kerja Sama Distribusi 2026' }),
    status: z
      .enum(DOCUMENT_VIEW_STATUSES)
      .describe(
        '`pending` while Privy has not confirmed the upload (`submission` says why); signing and revoke ' +
          'then answer 409 OPERATION_PENDING with Retry-After',
      ),
    submission: SubmissionSchema,
    sign_process: z.enum(['serial', 'parallel']),
    signers: z.array(
      z.object({
        privy_id: z.string().meta({ example: 'SIAM4201' }),
        role: z.enum(['signer', 'reviewer']),
        status: z.enum(['waiting', 'signed', 'rejected']),
        signed_at: z.iso.datetime().nullable(),
        placements: z
          .array(ResolvedPlacementSchema)
          .describe('Where Privy draws the signature (120 × 60 pt), text tags resolved to points'),
      }),
    ),
    signing_url: z.string().nullable(),
    e_meterai: z
      .object({
        category: z.string().meta({ example: 'surat_perjanjian' }),
        status: z.string().nullable(),
        serial_number: z.string().nullable(),
        placements: z.array(ResolvedPlacementSchema).describe('Each stamp, text tags resolved to points'),
      })
      .nullable(),
    sha256: z
      .string()
      .describe('SHA-256 of the uploaded PDF')
      .meta({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' }),
    size_bytes: z.number().int().meta({ example: 184_320 }),
    page_count: z.number().int().meta({ example: 3 }),
    template_id: z.uuid().nullable().describe('The template it was sent from (POST with `template_id`)'),
    template_version: z.int().nullable().describe("That template's version when it was sent"),
    signed_pdf_available: z.boolean().describe('GET /v1/documents/{id}/signed.pdf answers'),
    owner: z
      .string()
      .optional()
      .describe('Operators only: who uploaded it (`user:<sub>` or `operator:<key id>`)')
      .meta({ example: 'user:loan-officer' }),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: 'Document' })

export type DocumentView = z.infer<typeof DocumentSchema>

export const DocumentListSchema = z
  .object({ data: z.array(DocumentSchema), next_cursor: z.string().nullable() })
  .meta({ id: 'DocumentList' })

export const DocumentHistorySchema = z
  .object({
    document_id: z.uuid(),
    events: z.array(
      z.object({
        at: z.iso.datetime(),
        source: z.enum(['gateway', 'privy']),
        privy_id: z.string().nullable().describe('The signer concerned, for Privy events'),
        description: z.string().meta({ example: 'SIAM4201 signed the document' }),
        actor: z
          .string()
          .nullable()
          .describe(
            'Who took the action (`operator:<key id>` or `user:<sub>`), for gateway events a caller caused',
          )
          .meta({ example: 'operator:backoffice' }),
      }),
    ),
  })
  .meta({ id: 'DocumentHistory' })
