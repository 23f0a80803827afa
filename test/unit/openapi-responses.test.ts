import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { OpenAPIV3_1 } from 'openapi-types'
import { describe, expect, it } from 'vitest'
import { ERROR_CODES, type ErrorCode } from '../../src/errors/error-codes.js'

/**
 * The error answers each route documents are exactly those it can give. How "can give" is known,
 * honestly: what every route of a shape answers is derived from the document (a body can be
 * malformed, too large or of another type; a path id can be unknown; an Idempotency-Key reused); the
 * codes of each handler's own rules are the table below, read from its service. The table is kept
 * honest from the other side: every code named in a module's sources must be raised by one of its
 * routes, so a new refusal cannot go undocumented. 500 (INTERNAL) can come from any route and is
 * described once in the API's description, not per route.
 */
const UPSTREAM: ErrorCode[] = [
  'UPSTREAM_REJECTED',
  'UPSTREAM_ERROR',
  'UPSTREAM_AUTHENTICATION_FAILED',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
]
/** A read that may refresh from Privy answers its failures, and 409 while a create is unknown. */
const REFRESH: ErrorCode[] = ['UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT']

const RAISES: Record<string, { module: string; codes: ErrorCode[] }> = {
  'registrations.create': {
    module: 'registration',
    codes: ['FEATURE_NOT_ENABLED', 'REGISTRATION_EXISTS', 'OPERATION_PENDING', 'UNPROCESSABLE', ...UPSTREAM],
  },
  'registrations.resend': {
    module: 'registration',
    codes: ['REGISTRATION_NOT_RESENDABLE', 'OPERATION_PENDING', 'UNPROCESSABLE', ...UPSTREAM],
  },
  'registrations.get': { module: 'registration', codes: REFRESH },
  'registrations.lookup': { module: 'registration', codes: [] },
  'registrations.list': { module: 'registration', codes: [] },
  'otp.request': {
    module: 'otp',
    // NOT_FOUND: the registration or a document named in the body is unknown (or not the caller's).
    codes: [
      'NOT_FOUND',
      'OTP_NOT_NEEDED',
      'OTP_ALREADY_SENT',
      'OTP_SEND_REFUSED',
      'DOCUMENT_NOT_SIGNABLE',
      'DOCUMENT_ALREADY_SIGNED',
      'NOT_YOUR_TURN',
      'OPERATION_PENDING',
      'UNPROCESSABLE',
      'OTP_RATE_LIMITED',
      'OTP_BUDGET_EXHAUSTED',
      ...UPSTREAM,
    ],
  },
  'otp.validate': {
    module: 'otp',
    codes: ['OTP_INVALID', 'OTP_EXPIRED', 'OTP_LOCKED', 'OTP_RATE_LIMITED', 'OPERATION_PENDING', ...UPSTREAM],
  },
  'otp.resend': {
    module: 'otp',
    codes: [
      'OTP_LOCKED',
      'OTP_ALREADY_VALIDATED',
      'OTP_SEND_REFUSED',
      'OTP_RESEND_TOO_EARLY',
      'OTP_SEND_LIMIT_REACHED',
      'OTP_RATE_LIMITED',
      'OTP_BUDGET_EXHAUSTED',
      'OPERATION_PENDING',
      ...UPSTREAM,
    ],
  },
  'documents.upload': {
    module: 'documents',
    // 503 also when too many PDFs wait for a checker (the pool's queue is full). NOT_FOUND: the JSON
    // form's `template_id` names no template of the caller's.
    codes: [
      'NOT_FOUND',
      'DOCUMENT_EXISTS',
      'OPERATION_PENDING',
      'UNPROCESSABLE',
      'PDF_TOO_COMPLEX',
      ...UPSTREAM,
    ],
  },
  // SERVICE_UNAVAILABLE: the PDF checkers are all busy, or the S3 store did not answer.
  'templates.create': {
    module: 'templates',
    codes: ['UNPROCESSABLE', 'PDF_TOO_COMPLEX', 'SERVICE_UNAVAILABLE'],
  },
  'templates.replace': {
    module: 'templates',
    codes: ['UNPROCESSABLE', 'PDF_TOO_COMPLEX', 'SERVICE_UNAVAILABLE'],
  },
  'templates.list': { module: 'templates', codes: [] },
  'templates.get': { module: 'templates', codes: [] },
  'templates.delete': { module: 'templates', codes: [] },
  'templates.pdf': { module: 'templates', codes: ['SERVICE_UNAVAILABLE'] },
  'documents.list': { module: 'documents', codes: [] },
  'documents.get': { module: 'documents', codes: REFRESH },
  'documents.history': { module: 'documents', codes: REFRESH },
  'documents.revoke': {
    module: 'documents',
    codes: ['DOCUMENT_NOT_REVOCABLE', 'OPERATION_PENDING', ...REFRESH],
  },
  // SERVICE_UNAVAILABLE: the S3 signed-PDF store did not answer (signed-pdf-s3.ts).
  'documents.signedPdf': {
    module: 'documents',
    codes: ['SIGNED_PDF_NOT_READY', 'SERVICE_UNAVAILABLE', ...REFRESH],
  },
  // Privy's own call: no JSON body validation (raw bytes), any content type; 503 when storing fails.
  'privyCallbacks.receive': {
    module: 'privy-callbacks',
    codes: ['UNAUTHENTICATED', 'UNPROCESSABLE', 'SERVICE_UNAVAILABLE'],
  },
  'privyCallbacks.list': { module: 'privy-callbacks', codes: [] },
  'privyCallbacks.reapply': { module: 'privy-callbacks', codes: ['CALLBACK_NOT_REAPPLICABLE'] },
  'webhooks.createEndpoint': { module: 'webhooks', codes: ['WEBHOOK_URL_NOT_ALLOWED'] },
  'webhooks.listEndpoints': { module: 'webhooks', codes: [] },
  'webhooks.getEndpoint': { module: 'webhooks', codes: [] },
  'webhooks.updateEndpoint': { module: 'webhooks', codes: ['WEBHOOK_URL_NOT_ALLOWED'] },
  'webhooks.deleteEndpoint': { module: 'webhooks', codes: [] },
  'webhooks.rotateSecret': { module: 'webhooks', codes: [] },
  'webhooks.listDeliveries': { module: 'webhooks', codes: [] },
  'events.list': { module: 'webhooks', codes: [] },
  'webhooks.getDelivery': { module: 'webhooks', codes: [] },
  'webhooks.replay': {
    module: 'webhooks',
    codes: ['WEBHOOK_DELIVERY_IN_FLIGHT', 'WEBHOOK_ENDPOINT_DISABLED'],
  },
  'health.live': { module: 'health', codes: [] },
  'health.ready': { module: 'health', codes: ['SERVICE_UNAVAILABLE'] },
}

/**
 * Named in a module's sources but never answered: the refused-callback counters reuse the limits
 * service, whose rules carry a 429 code, with a maximum that is never reached.
 */
const NEVER_ANSWERED: Record<string, ErrorCode[]> = { 'privy-callbacks': ['OTP_RATE_LIMITED'] }

/**
 * Named in a module's sources and answered by another module's route: documents.signing.ts decides
 * whether a signer may sign now, for the OTP module's `POST /v1/otp` (before any SMS).
 */
const RAISED_BY_OTHERS: Record<string, { operation: string; codes: ErrorCode[] }> = {
  documents: {
    operation: 'otp.request',
    codes: ['DOCUMENT_NOT_SIGNABLE', 'DOCUMENT_ALREADY_SIGNED', 'NOT_YOUR_TURN'],
  },
}

/** Routes whose body is read as raw bytes: no parse or validation step of their own. */
const RAW_BODY = new Set(['privyCallbacks.receive'])

const document = JSON.parse(
  await readFile(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'),
) as OpenAPIV3_1.Document

const operations = Object.values(document.paths ?? {}).flatMap((item) =>
  (['get', 'post', 'patch', 'delete', 'put'] as const).flatMap((method) => item?.[method] ?? []),
)

/** What a route answers because of its shape, read from its own documentation. */
function shapeCodes(operation: OpenAPIV3_1.OperationObject): ErrorCode[] {
  const id = operation.operationId ?? ''
  const parameters = (operation.parameters ?? []) as OpenAPIV3_1.ParameterObject[]
  const codes: ErrorCode[] = []
  const validated = !RAW_BODY.has(id) && (parameters.length > 0 || operation.requestBody)
  if (validated) codes.push('VALIDATION_FAILED')
  if (operation.security?.length) codes.push('UNAUTHENTICATED')
  // To a user, an operator route does not exist; an id in the path may name nothing (or not theirs).
  if (JSON.stringify(operation.security) === '[{"apiKey":[]}]') codes.push('NOT_FOUND')
  if (parameters.some((parameter) => parameter.in === 'path')) codes.push('NOT_FOUND')
  if (operation.requestBody) {
    codes.push('PAYLOAD_TOO_LARGE')
    if (!RAW_BODY.has(id)) codes.push('MALFORMED_BODY', 'UNSUPPORTED_MEDIA_TYPE')
  }
  if (parameters.some((parameter) => parameter.name === 'idempotency-key')) {
    codes.push('IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_IN_USE')
  }
  return codes
}

const errorStatuses = (codes: ErrorCode[]) =>
  [...new Set(codes.map((code) => ERROR_CODES[code].status))].sort((a, b) => a - b)

describe('documented error responses', () => {
  it('cover every operation in the table, and nothing else is in it', () => {
    expect(operations.map((operation) => operation.operationId).sort()).toEqual(Object.keys(RAISES).sort())
  })

  it.each(operations.map((operation) => [operation.operationId, operation] as const))(
    '%s documents exactly the statuses it can answer',
    (id, operation) => {
      const raises = RAISES[id ?? '']
      const expected = errorStatuses([...shapeCodes(operation), ...(raises?.codes ?? [])])
      const documented = Object.keys(operation.responses ?? {})
        .map(Number)
        .filter((status) => status >= 400)
        .sort((a, b) => a - b)
      expect(documented).toEqual(expected)
    },
  )

  it('leave no code a module names unraised by one of its routes', async () => {
    const known = Object.keys(ERROR_CODES) as ErrorCode[]
    for (const module of new Set(Object.values(RAISES).map((entry) => entry.module))) {
      const directory = new URL(`../../src/modules/${module}/`, import.meta.url).pathname
      const files = await readdir(directory, { recursive: true }).catch(() => [] as string[])
      const sources = await Promise.all(
        files.filter((file) => file.endsWith('.ts')).map((file) => readFile(join(directory, file), 'utf8')),
      )
      const named = known.filter((code) => sources.some((source) => source.includes(`'${code}'`)))
      const elsewhere = RAISED_BY_OTHERS[module]
      if (elsewhere)
        expect(RAISES[elsewhere.operation]?.codes).toEqual(expect.arrayContaining(elsewhere.codes))
      const raised = new Set(
        Object.entries(RAISES)
          .filter(([, entry]) => entry.module === module)
          .flatMap(([id, entry]) => {
            const operation = operations.find((candidate) => candidate.operationId === id)
            return [...entry.codes, ...(operation ? shapeCodes(operation) : [])]
          })
          .concat(elsewhere?.codes ?? []),
      )
      expect(
        named.filter(
          (code) => code !== 'INTERNAL' && !raised.has(code) && !NEVER_ANSWERED[module]?.includes(code),
        ),
        module,
      ).toEqual([])
    }
  })
})
