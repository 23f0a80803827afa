import { openPrivyToken } from '../../src/lib/privy-tokens.js'
import type { TestGateway } from './gateway.js'

/**
 * Privy's tokens as the gateway keeps them: sealed. Tests that need a token (to check that it never
 * leaks, or that the right one was kept) open it here, with the gateway's own key.
 */
type Opener = Pick<TestGateway, 'database' | 'pii'>

export async function registerTokenOf(gateway: Opener, id: string): Promise<string | null> {
  const row = await gateway.database.prisma.registration.findUniqueOrThrow({
    where: { id },
    select: { registerTokenSealed: true, tokenKeyId: true },
  })
  return row.registerTokenSealed && row.tokenKeyId
    ? openPrivyToken(gateway.pii, 'register_token', id, {
        sealed: row.registerTokenSealed,
        keyId: row.tokenKeyId,
      })
    : null
}

export async function documentTokenOf(gateway: Opener, id: string): Promise<string | null> {
  const row = await gateway.database.prisma.document.findUniqueOrThrow({
    where: { id },
    select: { documentTokenSealed: true, tokenKeyId: true },
  })
  return row.documentTokenSealed && row.tokenKeyId
    ? openPrivyToken(gateway.pii, 'document_token', id, {
        sealed: row.documentTokenSealed,
        keyId: row.tokenKeyId,
      })
    : null
}

/** Every register token the gateway holds, opened. */
export async function allRegisterTokens(gateway: Opener): Promise<string[]> {
  const rows = await gateway.database.prisma.registration.findMany({ select: { id: true } })
  const tokens = await Promise.all(rows.map((row) => registerTokenOf(gateway, row.id)))
  return tokens.filter((token): token is string => token !== null)
}

/** Every document token the gateway holds, opened. */
export async function allDocumentTokens(gateway: Opener): Promise<string[]> {
  const rows = await gateway.database.prisma.document.findMany({ select: { id: true } })
  const tokens = await Promise.all(rows.map((row) => documentTokenOf(gateway, row.id)))
  return tokens.filter((token): token is string => token !== null)
}
