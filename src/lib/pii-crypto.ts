import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto'

/** An AES-256-GCM key and its id: the id is stored beside every ciphertext, for rotation. */
export interface PiiKey {
  id: string
  key: Buffer
}

export interface Sealed {
  keyId: string
  /** iv (12 bytes) ‖ tag (16 bytes) ‖ ciphertext */
  data: Buffer
}

const IV_BYTES = 12
const TAG_BYTES = 16

/** A key's id is derived from the key itself, so configuration cannot pair a key with a wrong id. */
export function piiKeyFromBase64(base64: string): PiiKey {
  const key = Buffer.from(base64, 'base64')
  if (key.length !== 32) throw new Error('a PII key must be 32 bytes')
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 16), key }
}

export interface PiiCipher {
  readonly activeKeyId: string
  seal(plaintext: string | Buffer, context: string): Sealed
  open(sealed: Sealed, context: string): Buffer
  /** Keyed HMAC-SHA256 for lookups and duplicate checks: equal inputs match, nothing is recoverable. */
  lookupHash(...parts: string[]): string
}

/**
 * Encryption of personal data at rest. `context` is bound as associated data (e.g. the table and
 * column), so a ciphertext copied into another row's field does not decrypt there.
 */
export function createPiiCipher(options: {
  active: PiiKey
  /** Older keys, still able to open what they sealed until rotation re-seals it. */
  previous?: PiiKey[]
  lookupKey: Buffer
}): PiiCipher {
  const keys = new Map<string, Buffer>()
  for (const key of [options.active, ...(options.previous ?? [])]) keys.set(key.id, key.key)
  const lookupKey = Buffer.from(options.lookupKey)

  return {
    activeKeyId: options.active.id,
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', options.active.key, iv)
      cipher.setAAD(Buffer.from(context, 'utf8'))
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
      return { keyId: options.active.id, data: Buffer.concat([iv, cipher.getAuthTag(), body]) }
    },
    open(sealed, context) {
      const key = keys.get(sealed.keyId)
      if (!key) throw new Error(`no PII key with id ${sealed.keyId} is configured`)
      const iv = sealed.data.subarray(0, IV_BYTES)
      const tag = sealed.data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES)
      const decipher = createDecipheriv('aes-256-gcm', key, iv)
      decipher.setAAD(Buffer.from(context, 'utf8'))
      decipher.setAuthTag(tag)
      return Buffer.concat([decipher.update(sealed.data.subarray(IV_BYTES + TAG_BYTES)), decipher.final()])
    },
    lookupHash(...parts) {
      const hmac = createHmac('sha256', lookupKey)
      // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
      for (const part of parts) hmac.update(`${Buffer.byteLength(part)}:${part};`)
      return hmac.digest('hex')
    },
  }
}

/** The cipher of a configuration: its active key, the keys rotated out, and the lookup key (base64). */
export function piiCipherOf(keys: {
  encryptionKey: string
  previousEncryptionKeys: readonly string[]
  lookupKey: string
}): PiiCipher {
  return createPiiCipher({
    active: piiKeyFromBase64(keys.encryptionKey),
    previous: keys.previousEncryptionKeys.map(piiKeyFromBase64),
    lookupKey: Buffer.from(keys.lookupKey, 'base64'),
  })
}
