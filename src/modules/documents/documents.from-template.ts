import { AppError, type FieldError, notFound } from '../../errors/app-error.js'
import type { PdfUpload } from '../../http/pdf-upload.js'
import { ownerScope, type Principal } from '../../lib/principal.js'
import type { IdempotencyClaim } from '../idempotency/index.js'
import { parseOrRefuse } from '../placements.js'
import type { createDocumentCreation, DocumentServiceDeps, SentFrom } from './documents.create.js'
import { type DocumentFromTemplate, DocumentFromTemplateSchema } from './documents.schemas.js'
import type { TemplateCopy, TemplateSource } from './documents.types.js'

type Creation = ReturnType<typeof createDocumentCreation>

/**
 * POST /v1/documents as JSON with a `template_id`: the template's PDF and its placements, resolved when
 * the template was created, sent to one signer per role through the upload's own path (the same checks,
 * dedupe key, Idempotency-Key behaviour and outcomes). The PDF is read from the store only to be sent:
 * the version's stored page count and boxes stand in for inspecting it again.
 */
export function createDocumentFromTemplate(
  deps: DocumentServiceDeps & { templates: TemplateSource },
  creation: Creation,
) {
  async function fromTemplate(principal: Principal, body: unknown, claim?: IdempotencyClaim) {
    const request = parseRequest(body)
    const template = await templateFor(principal, request.template_id)
    return sent(request, template, (received) =>
      creation.upload(principal, received, claim, sentFrom(template)),
    )
  }

  /** A retry under the Idempotency-Key: the version the first attempt recorded, if it got that far. */
  async function resumeFromTemplate(
    principal: Principal,
    id: string,
    body: unknown,
    claim: IdempotencyClaim,
  ) {
    const request = parseRequest(body)
    const earlier = await deps.documents.findOwned(id, ownerScope(principal).ownerId)
    const version = earlier?.templateId === request.template_id ? earlier.templateVersion : null
    const template = await templateFor(principal, request.template_id, version ?? undefined)
    return sent(request, template, (received) =>
      creation.resumeUpload(principal, id, received, claim, sentFrom(template)),
    )
  }

  async function templateFor(principal: Principal, id: string, version?: number) {
    const template = await deps.templates.copyFor(ownerScope(principal).ownerId, id, version)
    if (!template) throw notFound('Template')
    return template
  }

  return { fromTemplate, resumeFromTemplate }
}

/** The version's stored facts, in the order `sent` lists the signers: its roles, then its e-Meterai. */
function sentFrom(template: TemplateCopy): SentFrom {
  return {
    id: template.id,
    version: template.version,
    pageCount: template.pageCount,
    boxes: [
      ...template.roles.map((role) => role.placements),
      ...(template.eMeterai ? [template.eMeterai.placements] : []),
    ],
  }
}

function parseRequest(body: unknown): DocumentFromTemplate {
  return parseOrRefuse(DocumentFromTemplateSchema, body, 'The request is not valid')
}

/**
 * The upload the template stands for: its roles in its order, each with the signer the request names
 * for it, its boxes as coordinates in points. Errors name the request's fields, not the metadata's.
 */
async function sent<T>(
  request: DocumentFromTemplate,
  template: TemplateCopy,
  send: (received: PdfUpload) => Promise<T>,
): Promise<T> {
  const errors: FieldError[] = []
  const byRole = new Map<string, number>()
  request.signers.forEach((signer, index) => {
    if (!template.roles.some((role) => role.name === signer.role)) {
      errors.push({ path: `signers.${index}.role`, message: `is not a role of this template` })
    } else if (byRole.has(signer.role)) {
      errors.push({
        path: `signers.${index}.role`,
        message: `${JSON.stringify(signer.role)} has a signer already`,
      })
    } else byRole.set(signer.role, index)
  })
  for (const role of template.roles) {
    if (!byRole.has(role.name))
      errors.push({ path: 'signers', message: `role ${JSON.stringify(role.name)} has no signer` })
  }
  if (errors.length > 0) {
    throw new AppError('UNPROCESSABLE', { detail: 'The signers do not match the template roles', errors })
  }
  const order = template.roles.map((role) => byRole.get(role.name) ?? 0)
  const points = (box: TemplateCopy['roles'][number]['placements'][number]) => ({ ...box, unit: 'pt' })
  const metadata = {
    title: request.title,
    sign_process: request.sign_process ?? template.signProcess,
    visibility: request.visibility ?? template.visibility,
    signers: template.roles.map((role, position) => {
      const { role: _name, ...who } = request.signers[order[position] ?? 0] ?? {}
      return { ...who, role: role.role, placements: role.placements.map(points) }
    }),
    ...(template.eMeterai
      ? {
          e_meterai: {
            category: template.eMeterai.category,
            order: template.eMeterai.order,
            placements: template.eMeterai.placements.map(points),
          },
        }
      : {}),
  }
  try {
    return await send({ file: template.file, sha256: template.sha256, size: template.size, metadata })
  } catch (error) {
    throw error instanceof AppError ? renamed(error, order) : error
  }
}

/** `metadata.signers.<position>.x` (the role's place) becomes `signers.<index>.x` (the request's). */
function renamed(error: AppError, order: number[]): AppError {
  const errors = error.options.errors
  if (!errors || errors.length === 0) return error
  return new AppError(error.code, {
    ...error.options,
    errors: errors.map((one) => ({
      ...one,
      path: one.path.replace(
        /^metadata\.signers\.(\d+)/,
        (_, at: string) => `signers.${order[Number(at)] ?? at}`,
      ),
    })),
  })
}
