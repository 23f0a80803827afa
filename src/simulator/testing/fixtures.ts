import { randomUUID } from 'node:crypto'
import { DEV_CREDENTIALS } from '../dev-credentials.js'

/** Test inputs for the simulator's own tests and for integration tests that call it directly. */

/** A real 1×1 JPEG, base64 without a data URL prefix. */
export const TINY_JPEG_BASE64 =
  '/9j/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k='

/** A real 1×1 PNG, base64 without a data URL prefix. */
export const TINY_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='

export function uniqueReference(prefix = 'REG'): string {
  return `${prefix}-${randomUUID()}`
}

/** A valid docs/privy-contract.md §3.1 body of the given type; `overrides` replace fields, `undefined` removes one. */
export function registerBody(
  registrationType: 'landing_page' | 'privy_ra' | 'merchant_ra',
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const base: Record<string, unknown> =
    registrationType === 'landing_page'
      ? {
          reference_number: uniqueReference(),
          channel_id: DEV_CREDENTIALS.channelId,
          registration_type: registrationType,
          email: 'siti@example.co.id',
          phone: '6281234567890',
        }
      : {
          reference_number: uniqueReference(),
          channel_id: DEV_CREDENTIALS.channelId,
          registration_type: registrationType,
          name: 'Siti Aminah',
          email: 'siti@example.co.id',
          phone: '6281234567890',
          nik: '3174012345678900',
          dob: '1990-01-31',
          identity: TINY_JPEG_BASE64,
          selfie: TINY_PNG_BASE64,
        }
  const body = { ...base, ...overrides }
  for (const [key, value] of Object.entries(body)) if (value === undefined) delete body[key]
  return body
}
