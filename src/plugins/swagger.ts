import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { jsonSchemaTransformObject } from 'fastify-type-provider-zod'
import type { OpenAPIV3_1 } from 'openapi-types'
import { PROBLEM_CONTENT_TYPE } from '../errors/problem.js'
import { addFormatExamples } from '../openapi/format-examples.js'
import { OPTIONAL_BODY_OPERATIONS, routeTransform } from '../openapi/route-transform.js'

export const OPENAPI_INFO = {
  title: 'privy-gateway',
  version: '1.0.0',
  description:
    'Merchant-side gateway in front of Privy (e-KYC and e-signature). End users call it with the ' +
    "merchant's JWT (`Authorization: Bearer`), operators with `X-API-Key`. Every error is " +
    '`application/problem+json` (RFC 9457) with a stable `code` and the `request_id`. Each operation ' +
    'lists the error statuses it can answer; any of them may also answer 500 `INTERNAL`, whose ' +
    '`request_id` finds it in the logs.',
}

/** Operator-only routes (X-API-Key) are grouped under these, apart from what apps call. */
export const OPERATOR_TAGS = {
  operators: 'Operators',
  webhookEndpoints: 'Operators: webhook endpoints',
  webhookDeliveries: 'Operators: webhook deliveries',
} as const

/**
 * Registers the OpenAPI 3.1 generator (from the zod route schemas) and, with `ui`, Swagger UI at
 * /docs and the document at /openapi.json. The generator is always there: `npm run openapi` and the
 * tests read `app.swagger()` whatever DOCS_ENABLED says.
 */
export async function registerSwagger(app: FastifyInstance, { ui }: { ui: boolean }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: OPENAPI_INFO,
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      tags: [
        { name: 'Registrations', description: 'Register users with Privy and follow their KYC status' },
        {
          name: 'Documents',
          description: 'PDFs sent for signing: signers, placement, e-Meterai, signed PDF',
        },
        {
          name: 'Templates',
          description: 'A PDF with signer roles, placements resolved once: documents sent without the upload',
        },
        { name: 'OTP', description: 'One-time codes for registration and document signing' },
        {
          name: 'Events',
          description: 'What the webhooks carried, read back: catch up after an outage',
        },
        { name: 'Privy callbacks', description: 'Status pushes from Privy, verified by signature' },
        { name: 'Health', description: 'Liveness and readiness' },
        {
          name: OPERATOR_TAGS.operators,
          description:
            'Operators only (X-API-Key): find registrations by NIK, inspect and reapply Privy callbacks',
        },
        {
          name: OPERATOR_TAGS.webhookEndpoints,
          description: 'Operators only (X-API-Key): where events are POSTed, and their signing secrets',
        },
        {
          name: OPERATOR_TAGS.webhookDeliveries,
          description: 'Operators only (X-API-Key): each event sent to each endpoint, its attempts, replay',
        },
      ],
    },
    hideUntagged: true,
    transform: routeTransform,
    transformObject: (documentObject) => polish(jsonSchemaTransformObject(documentObject)),
  })
  if (!ui) return
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true, persistAuthorization: true },
  })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}

type GeneratedDocument = ReturnType<typeof jsonSchemaTransformObject>

/**
 * What the generator cannot know: error responses are problem+json, responses deserve a real
 * description, and the `…Input` copies of schemas nothing refers to are noise in Swagger UI.
 */
function polish(generated: GeneratedDocument): GeneratedDocument {
  const document = generated as OpenAPIV3_1.Document
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(pathItem ?? {})) {
      const responses = (operation as OpenAPIV3_1.OperationObject | undefined)?.responses
      if (!responses || typeof responses !== 'object') continue
      for (const [status, response] of Object.entries(responses)) {
        const described = response as OpenAPIV3_1.ResponseObject
        described.description = STATUS_DESCRIPTIONS[status] ?? described.description
        const content = described.content
        if (Number(status) >= 400 && content?.['application/json']) {
          content[PROBLEM_CONTENT_TYPE] = content['application/json']
          delete content['application/json']
        }
      }
    }
  }
  const schemas = document.components?.schemas ?? {}
  addFormatExamples(schemas)
  for (const pathItem of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(pathItem ?? {}) as OpenAPIV3_1.OperationObject[]) {
      addFormatExamples([operation.requestBody, operation.responses])
      const body = operation.requestBody as OpenAPIV3_1.RequestBodyObject | undefined
      if (body && OPTIONAL_BODY_OPERATIONS.has(operation.operationId ?? '')) body.required = false
    }
  }
  const { components: _components, ...rest } = document
  const references = JSON.stringify(rest)
  for (const name of Object.keys(schemas)) {
    if (name.endsWith('Input') && !references.includes(`#/components/schemas/${name}"`)) delete schemas[name]
  }
  return generated
}

const STATUS_DESCRIPTIONS: Record<string, string> = {
  200: 'OK',
  201: 'Created',
  400: 'The request is malformed or a field is not valid (`MALFORMED_BODY`, `VALIDATION_FAILED`)',
  401: 'No valid bearer token or API key (`UNAUTHENTICATED`)',
  403: 'Not enabled for this merchant (`FEATURE_NOT_ENABLED`)',
  404: 'Not found, or not yours (`NOT_FOUND`)',
  409:
    'Conflicts with the current state; `code` says which conflict (each one is named in the ' +
    "operation's description, e.g. `OTP_ALREADY_SENT`, `NOT_YOUR_TURN`, `OPERATION_PENDING`)",
  413: 'Body or part too large (`PAYLOAD_TOO_LARGE`)',
  415: 'Content type not accepted (`UNSUPPORTED_MEDIA_TYPE`)',
  422: 'Understood but refused, by the gateway or by Privy (`UNPROCESSABLE`, `UPSTREAM_REJECTED`)',
  429: 'Too many requests; see `Retry-After` (`RATE_LIMITED`)',
  502:
    'Privy answered with an error, or with an answer the gateway could not read ' +
    '(`UPSTREAM_ERROR`, `UPSTREAM_AUTHENTICATION_FAILED`, `UPSTREAM_UNREADABLE`)',
  503: 'Privy or the database is unavailable; see `Retry-After` (`UPSTREAM_UNAVAILABLE`, `SERVICE_UNAVAILABLE`)',
  504: 'Privy did not answer in time; the outcome may be unknown (`UPSTREAM_TIMEOUT`)',
}
