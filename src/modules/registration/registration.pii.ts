import type { PiiCipher, Sealed } from '../../lib/pii-crypto.js'

/**
 * NIK and date of birth at rest: sealed with AES-256-GCM, each bound to its row and field (the
 * associated data), so a ciphertext copied into another row or column does not open there.
 */
export function identityContext(registrationId: string, field: 'nik' | 'dob'): string {
  return `registrations.${field}:${registrationId}`
}

export interface SealedIdentity {
  nikSealed?: Uint8Array<ArrayBuffer>
  dobSealed?: Uint8Array<ArrayBuffer>
  piiKeyId?: string
  nikLookup?: string
}

export function sealIdentity(
  pii: PiiCipher,
  registrationId: string,
  identity: { nik?: string | undefined; dob?: string | undefined },
): SealedIdentity {
  const sealed: SealedIdentity = {}
  if (identity.nik !== undefined) {
    sealed.nikSealed = bytes(pii.seal(identity.nik, identityContext(registrationId, 'nik')))
    sealed.nikLookup = nikLookupOf(pii, identity.nik)
    sealed.piiKeyId = pii.activeKeyId
  }
  if (identity.dob !== undefined) {
    sealed.dobSealed = bytes(pii.seal(identity.dob, identityContext(registrationId, 'dob')))
    sealed.piiKeyId = pii.activeKeyId
  }
  return sealed
}

/** The lookup hash of a NIK: the same for every registration of the person, readable by none. */
export function nikLookupOf(pii: PiiCipher, nik: string): string {
  return pii.lookupHash('nik', nik)
}

/** Opens a sealed field and seals it again under the active key (key rotation). */
export function resealField(
  pii: PiiCipher,
  registrationId: string,
  field: 'nik' | 'dob',
  sealed: { keyId: string; data: Uint8Array },
): Uint8Array<ArrayBuffer> {
  const context = identityContext(registrationId, field)
  const plain = pii.open({ keyId: sealed.keyId, data: Buffer.from(sealed.data) }, context)
  return bytes(pii.seal(plain, context))
}

function bytes(sealed: Sealed): Uint8Array<ArrayBuffer> {
  return new Uint8Array(sealed.data)
}
