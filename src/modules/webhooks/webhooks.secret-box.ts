import type { PiiCipher } from '../../lib/pii-crypto.js'

/**
 * Signing secrets are kept encrypted (AES-256-GCM with the PII key): a database dump alone cannot
 * sign webhooks a merchant would trust. The row id is bound as associated data, so a sealed secret
 * copied onto another endpoint's row does not open there.
 */
export interface SecretBox {
  seal(secretId: string, secret: string): string
  open(secretId: string, stored: string): string
}

const FORMAT = 'sealed1'

export function createSecretBox(cipher: PiiCipher): SecretBox {
  const context = (secretId: string) => `webhook_secrets.secret:${secretId}`
  return {
    seal(secretId, secret) {
      const sealed = cipher.seal(secret, context(secretId))
      return `${FORMAT}:${sealed.keyId}:${sealed.data.toString('base64')}`
    },
    open(secretId, stored) {
      const [format, keyId, data, ...rest] = stored.split(':')
      if (format !== FORMAT || !keyId || !data || rest.length > 0) {
        throw new Error(`webhook secret ${secretId} is not in a known sealed format`)
      }
      return cipher.open({ keyId, data: Buffer.from(data, 'base64') }, context(secretId)).toString('utf8')
    },
  }
}
