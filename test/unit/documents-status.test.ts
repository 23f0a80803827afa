import { describe, expect, it } from 'vitest'
import { canMoveDocument } from '../../src/modules/documents/documents.status.js'

describe('canMoveDocument: each process only moves forward along its own path', () => {
  it.each([
    ['sign_only', 'uploaded', 'processing', false, true],
    ['sign_only', 'processing', 'completed', false, true],
    ['sign_only', 'processing', 'uploaded', false, false],
    ['sign_only', 'uploaded', 'processing_emeterai', false, false],
    ['sign_then_emeterai', 'processing', 'processing_emeterai', false, true],
    ['sign_then_emeterai', 'processing_emeterai', 'processing', false, false],
    ['emeterai_only', 'uploaded', 'processing_emeterai', false, true],
    ['emeterai_only', 'processing_emeterai', 'completed', false, true],
    ['emeterai_then_sign', 'uploaded', 'processing_emeterai', false, true],
    ['emeterai_then_sign', 'processing_emeterai', 'uploaded', false, true],
    ['emeterai_then_sign', 'uploaded', 'processing_emeterai', true, false],
    ['emeterai_then_sign', 'uploaded', 'processing', true, true],
    ['emeterai_then_sign', 'processing', 'processing_emeterai', true, false],
    ['sign_only', 'uploaded', 'revoked', false, true],
    ['sign_only', 'processing', 'revoked', false, false],
    ['sign_only', 'completed', 'error', false, false],
    ['sign_only', 'processing', 'error', false, true],
    ['sign_only', 'revoked', 'uploaded', false, false],
    ['sign_only', 'uploaded', 'expired', false, true],
  ] as const)('%s: %s → %s (stamped %s) is %s', (process, from, to, stamped, expected) => {
    expect(canMoveDocument(from, to, process, stamped)).toBe(expected)
  })
})
