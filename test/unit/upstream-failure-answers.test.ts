import { describe, expect, it } from 'vitest'
import {
  countedByPrivy,
  heldByPrivy,
  heldByPrivyPending,
  otpSendRefusal,
  otpValidationRefusal,
  privyResendWaitSeconds,
  registrationResendRefusal,
  revokeRefusal,
} from '../../src/errors/upstream-failure/index.js'
import {
  type PrivyApiError,
  PrivyConflictError,
  type PrivyErrorDetails,
  PrivyLockedError,
  PrivyRateLimitError,
  PrivyServerError,
  PrivyUnprocessableEntityError,
} from '../../src/privy/index.js'

// What each named function of src/errors/upstream-failure/ answers for a Privy refusal: the codes,
// statuses, details and extensions the services used to build themselves (docs/privy-contract.md §1).

type Status = new (
  status: number,
  details: PrivyErrorDetails,
  context: { operation: string; requestId: string },
) => PrivyApiError
const answer = (Class: Status, status: number, details: Partial<PrivyErrorDetails> = {}) =>
  new Class(
    status,
    { code: status, messages: [], fieldErrors: [], ...details },
    { operation: 'op', requestId: 'req-1' },
  )

describe('OTP answers', () => {
  it('turns a 429 into OTP_RESEND_TOO_EARLY with Privy wait, 60 s when it names none', () => {
    const waited = otpSendRefusal(answer(PrivyRateLimitError, 429, { retryAfterSeconds: 17 }))
    expect([waited.code, waited.status, waited.options.retryAfterSeconds]).toEqual([
      'OTP_RESEND_TOO_EARLY',
      429,
      17,
    ])
    expect(otpSendRefusal(answer(PrivyRateLimitError, 429)).options.retryAfterSeconds).toBe(60)
    expect(privyResendWaitSeconds(answer(PrivyRateLimitError, 429, { retryAfterSeconds: 17 }))).toBe(17)
    expect(privyResendWaitSeconds(answer(PrivyUnprocessableEntityError, 422))).toBeUndefined()
  })

  it('turns a readable 422 on a send into OTP_SEND_REFUSED, an unreadable one into UPSTREAM_UNREADABLE', () => {
    expect(otpSendRefusal(answer(PrivyUnprocessableEntityError, 422)).code).toBe('OTP_SEND_REFUSED')
    const page = answer(PrivyUnprocessableEntityError, 422, { bodyUnreadable: true })
    expect(otpSendRefusal(page).code).toBe('UPSTREAM_UNREADABLE')
  })

  it('says what a refused validation means and what the row becomes', () => {
    const lock = otpValidationRefusal(answer(PrivyLockedError, 423))
    expect([lock.error.code, lock.mark]).toEqual(['OTP_LOCKED', { status: 'locked' }])
    const wrong = otpValidationRefusal(answer(PrivyUnprocessableEntityError, 422, { remainingAttempts: 2 }))
    expect([wrong.error.code, wrong.error.options.extensions, wrong.mark]).toEqual([
      'OTP_INVALID',
      { attempts_left: 2 },
      { wrongCode: 2 },
    ])
    expect(wrong.error.message).toBe('The code is not correct; 2 attempt(s) left')
    const last = otpValidationRefusal(answer(PrivyUnprocessableEntityError, 422, { remainingAttempts: -1 }))
    expect(last.mark).toEqual({ wrongCode: 0 })
    const flagged = otpValidationRefusal(answer(PrivyUnprocessableEntityError, 422, { expired: true }))
    const said = otpValidationRefusal(
      answer(PrivyUnprocessableEntityError, 422, { messages: ['OTP Expired'] }),
    )
    for (const late of [flagged, said])
      expect([late.error.code, late.mark]).toEqual(['OTP_EXPIRED', { status: 'expired' }])
    const neither = otpValidationRefusal(answer(PrivyUnprocessableEntityError, 422, { messages: ['no'] }))
    expect([neither.error.code, neither.mark]).toEqual(['UPSTREAM_UNREADABLE', null])
  })

  it('counts only a wrong code or a lock as an attempt Privy spent', () => {
    expect(countedByPrivy(answer(PrivyLockedError, 423))).toBe(true)
    expect(countedByPrivy(answer(PrivyUnprocessableEntityError, 422, { remainingAttempts: 1 }))).toBe(true)
    expect(countedByPrivy(answer(PrivyUnprocessableEntityError, 422))).toBe(false)
    expect(countedByPrivy(answer(PrivyServerError, 500))).toBe(false)
  })
})

describe('document and registration answers', () => {
  it('turns a readable 422 on a revoke into DOCUMENT_NOT_REVOCABLE, anything else into the generic mapping', () => {
    const refused = revokeRefusal(answer(PrivyUnprocessableEntityError, 422))
    expect([refused.code, refused.status]).toEqual(['DOCUMENT_NOT_REVOCABLE', 409])
    expect(revokeRefusal(answer(PrivyServerError, 500)).code).toBe('UPSTREAM_ERROR')
  })

  it('names the fields Privy refused on a registration resend in the API names', () => {
    const details = { fieldErrors: [{ field: 'nik', messages: ['bad 3171...'] }] }
    const refused = registrationResendRefusal(answer(PrivyUnprocessableEntityError, 422, details), {
      nik: 'identity.nik',
    })
    expect([refused.code, refused.options.errors]).toEqual([
      'UPSTREAM_REJECTED',
      [{ path: 'identity.nik', message: 'refused by Privy' }],
    ])
  })

  it('reads a 409 on a create as Privy holding the row, answered OPERATION_PENDING', () => {
    expect(heldByPrivy(answer(PrivyConflictError, 409))).toBe(true)
    expect(heldByPrivy(answer(PrivyUnprocessableEntityError, 422))).toBe(false)
    const pending = heldByPrivyPending('document', 'doc-1')
    expect([pending.code, pending.message, pending.options.extensions]).toEqual([
      'OPERATION_PENDING',
      'Privy holds this document; it is settled by its next callback. Follow document doc-1',
      { document_id: 'doc-1' },
    ])
  })
})
