import { z } from 'zod'
import { text } from '../../lib/text.js'
import { EMeteraiInputSchema, RoleNameSchema, signingFields, withSignerRules } from '../documents/index.js'
import { ListFilterFields } from '../list-filters.js'
import { PlacementInputSchema } from '../placements.js'

const RoleInputSchema = z.strictObject({
  name: RoleNameSchema.describe('What a document sent from the template names in `signers[].role`'),
  role: z.enum(['signer', 'reviewer']).default('signer'),
  placements: z.array(PlacementInputSchema).min(1, 'place the signature at least once').max(20),
})

/** A template's `metadata`: its name, its roles and where each signs, text tags resolved once. */
export const TemplateMetadataSchema = withSignerRules(
  z.strictObject({
    name: text({ min: 1, max: 200, trim: true }).meta({ example: 'Perjanjian Kredit' }),
    ...signingFields('roles'),
    roles: z.array(RoleInputSchema).max(20).default([]),
    e_meterai: EMeteraiInputSchema.optional(),
  }),
  'roles',
  'role',
).meta({ id: 'TemplateMetadata' })
export type TemplateMetadata = z.infer<typeof TemplateMetadataSchema>

const METADATA_EXAMPLE = {
  name: 'Perjanjian Kredit',
  sign_process: 'parallel',
  visibility: true,
  roles: [
    {
      name: 'borrower',
      role: 'signer',
      placements: [
        {
          anchor: '{{sign:borrower}}',
          offset: { x: 0, y: -10 },
          width: 150,
          height: 75,
          unit: 'pt',
          occurrence: 1,
        },
      ],
    },
  ],
}

/** For OpenAPI only: the routes read the multipart body themselves, streaming and capped. */
export const TemplateUploadBodySchema = z
  .object({
    file: z
      .string()
      .meta({ format: 'binary' })
      .describe('The PDF (at most DOCUMENT_MAX_BYTES, 10 MiB by default)'),
    metadata: z
      .string()
      .describe('JSON text of TemplateMetadata')
      .meta({ example: JSON.stringify(METADATA_EXAMPLE) })
      .meta({
        contentMediaType: 'application/json',
        contentSchema: { $ref: '#/components/schemas/TemplateMetadata' },
      }),
  })
  .meta({ id: 'TemplateUpload' })

/** PUT: either part may be left out (the other is kept), not both. */
export const TemplateChangeBodySchema = TemplateUploadBodySchema.partial().meta({ id: 'TemplateChange' })

export const TemplateIdParamsSchema = z.strictObject({ id: z.uuid('must be a template id (UUID)') })

export const ListTemplatesQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: text({ max: 200 }).optional(),
  owner: ListFilterFields.owner,
  created_after: ListFilterFields.created_after,
  created_before: ListFilterFields.created_before,
})
export type ListTemplatesQuery = z.infer<typeof ListTemplatesQuerySchema>

/** A box in points from the top-left of the page as a viewer shows it, resolved when the version was made. */
const TemplateBoxSchema = z
  .object({ page: z.int(), x: z.number(), y: z.number(), width: z.number(), height: z.number() })
  .meta({ id: 'TemplateBox', example: { page: 1, x: 400, y: 690, width: 150, height: 75 } })

export const TemplateSchema = z
  .object({
    id: z.uuid(),
    name: z.string().meta({ example: 'Perjanjian Kredit' }),
    version: z.int().describe('1 when created; each PUT adds one'),
    sign_process: z.enum(['serial', 'parallel']),
    visibility: z.boolean(),
    sha256: z
      .string()
      .describe("SHA-256 of this version's PDF")
      .meta({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' }),
    size_bytes: z.int(),
    page_count: z.int(),
    roles: z.array(
      z.object({
        name: z.string().meta({ example: 'borrower' }),
        role: z.enum(['signer', 'reviewer']),
        placements: z.array(TemplateBoxSchema).describe('Text tags resolved to points, once'),
      }),
    ),
    e_meterai: z
      .object({
        category: z.string().meta({ example: 'surat_perjanjian' }),
        order: z.enum(['after_signing', 'before_signing']),
        placements: z.array(TemplateBoxSchema),
      })
      .nullable(),
    owner: z
      .string()
      .optional()
      .describe('Operators only: who created it (`user:<sub>` or `operator:<key id>`)')
      .meta({ example: 'user:loan-officer' }),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: 'Template' })
export type TemplateView = z.infer<typeof TemplateSchema>

export const TemplateListSchema = z
  .object({ data: z.array(TemplateSchema), next_cursor: z.string().nullable() })
  .meta({ id: 'TemplateList' })
