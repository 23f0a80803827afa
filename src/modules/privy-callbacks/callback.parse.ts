import type { z } from 'zod'
import type { FieldError } from '../../errors/app-error.js'
import { UNSIGNED_BODY_KEYS } from '../../privy/index.js'
import {
  CALLBACK_EVENTS,
  type DocumentCallbackData,
  DocumentCallbackDataSchema,
  type RegisterCallbackData,
  RegisterCallbackDataSchema,
} from './callback.schemas.js'

export type ParsedCallback =
  | { event: 'register'; data: RegisterCallbackData }
  | { event: 'document'; data: DocumentCallbackData }

/** A callback in the contract's formats, or why not: field by field, and in one line for operators. */
export type CallbackParse =
  | { ok: true; callback: ParsedCallback }
  | { ok: false; reason: string; errors: FieldError[] }

/** The longest reason stored or answered: a hostile body must not make it grow. */
export const ERROR_MAX_CHARS = 500
const MAX_FIELD_ERRORS = 10

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Reads a verified callback body strictly (docs/privy-contract.md §6): UTF-8 JSON, an object whose `event` is one
 * the contract knows and whose `data` fits that event's schema, with no top-level binary key (docs/privy-contract.md §2.3
 * leaves those out of the signature, so their content would be nobody's word). Unknown fields are
 * tolerated and dropped. Nothing here trims or normalises: a value that does not fit is refused.
 */
export function parseCallback(raw: Buffer): CallbackParse {
  let body: unknown
  try {
    body = JSON.parse(utf8.decode(raw))
  } catch {
    return refused('The body is not JSON', [{ path: '(body)', message: 'must be UTF-8 JSON' }])
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return refused('The body is not a JSON object', [{ path: '(body)', message: 'must be a JSON object' }])
  }
  const record = body as Record<string, unknown>
  const errors: FieldError[] = Object.keys(record)
    .filter((key) => UNSIGNED_BODY_KEYS.includes(key))
    .map((key) => ({
      path: key,
      message: 'is not covered by the signature (contract §2.3 leaves it out): a callback carries none',
    }))
  const event = record.event
  if (!(CALLBACK_EVENTS as readonly unknown[]).includes(event)) {
    errors.push({ path: 'event', message: `must be one of ${CALLBACK_EVENTS.join(', ')}` })
  }
  if (errors.length > 0 || (event !== 'register' && event !== 'document')) return notACallback(errors)

  if (event === 'register') {
    const data = RegisterCallbackDataSchema.safeParse(record.data)
    return data.success
      ? { ok: true, callback: { event, data: data.data } }
      : notACallback(issues(data.error))
  }
  const data = DocumentCallbackDataSchema.safeParse(record.data)
  return data.success ? { ok: true, callback: { event, data: data.data } } : notACallback(issues(data.error))
}

function issues(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: ['data', ...issue.path.map(String)].join('.'),
    message: issue.message,
  }))
}

function notACallback(errors: FieldError[]): CallbackParse {
  const listed = errors.map((error) => `${error.path}: ${error.message}`).join('; ')
  return refused(`Not a Privy callback: ${listed}`, errors)
}

function refused(reason: string, errors: FieldError[]): CallbackParse {
  return {
    ok: false,
    reason: clip(reason, ERROR_MAX_CHARS),
    errors: errors.slice(0, MAX_FIELD_ERRORS).map((error) => ({
      path: clip(error.path, 100),
      message: clip(error.message, 200),
    })),
  }
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`
}
