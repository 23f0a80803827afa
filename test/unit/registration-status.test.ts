import { describe, expect, it } from 'vitest'
import { type StatusSnapshot, shouldApply } from '../../src/modules/registration/registration.status.js'

const at = (minute: number) => new Date(Date.UTC(2026, 10, 25, 10, minute))
const snapshot = (
  status: StatusSnapshot['status'],
  minute: number | null,
  extra: Partial<StatusSnapshot> = {},
) => ({
  status,
  updatedAt: minute === null ? null : at(minute),
  privyId: null,
  rejectCode: null,
  ...extra,
})

describe('shouldApply: the registration never moves backwards', () => {
  it.each([
    ['pending → waiting_verification', snapshot('pending', 1), snapshot('waiting_verification', 2), true],
    ['pending → verified (a poll may skip steps)', snapshot('pending', 1), snapshot('verified', 3), true],
    [
      'waiting_otp → waiting_verification',
      snapshot('waiting_otp', 1),
      snapshot('waiting_verification', 2),
      true,
    ],
    ['waiting_verification → rejected', snapshot('waiting_verification', 1), snapshot('rejected', 2), true],
    [
      'waiting_verification → pending (backwards)',
      snapshot('waiting_verification', 1),
      snapshot('pending', 2),
      false,
    ],
    ['verified → rejected', snapshot('verified', 1), snapshot('rejected', 5), false],
    ['verified → waiting_verification', snapshot('verified', 1), snapshot('waiting_verification', 5), false],
    ['an older snapshot, even forward', snapshot('pending', 5), snapshot('verified', 4), false],
    [
      'the same snapshot twice (duplicate)',
      snapshot('waiting_verification', 5),
      snapshot('waiting_verification', 5),
      false,
    ],
    [
      'rejected → waiting_verification, newer (after a resend)',
      snapshot('rejected', 5),
      snapshot('waiting_verification', 6),
      true,
    ],
    [
      'rejected → waiting_verification, older (the stale copy)',
      snapshot('rejected', 5),
      snapshot('waiting_verification', 4),
      false,
    ],
    [
      'rejected → waiting_verification without a time',
      snapshot('rejected', 5),
      snapshot('waiting_verification', null),
      false,
    ],
    [
      'rejected again with a new reason, newer',
      snapshot('rejected', 5, { rejectCode: 'RC01' }),
      snapshot('rejected', 9, { rejectCode: 'RC02' }),
      true,
    ],
    ['rejected → pending', snapshot('rejected', 5), snapshot('pending', 9), false],
    [
      'verified gains its privy_id',
      snapshot('verified', 5),
      snapshot('verified', 5, { privyId: 'PRIVY1' }),
      false,
    ],
    [
      'verified gains its privy_id later',
      snapshot('verified', 5),
      snapshot('verified', 6, { privyId: 'PRIVY1' }),
      true,
    ],
    ['no times at all, forward', snapshot('pending', null), snapshot('waiting_verification', null), true],
    ['no times at all, backwards', snapshot('waiting_verification', null), snapshot('pending', null), false],
  ])('%s', (_label, current, next, expected) => {
    expect(shouldApply(current, next)).toBe(expected)
  })
})
