import type { Prisma } from '../generated/prisma/client.js'

/**
 * Takes a natural key (one live registration per person, one document per PDF and signers) for a row
 * about to be created in the same transaction. Returns the id of the row that already holds it, or
 * null when it is now this row's.
 */
export async function claimNaturalKey(
  tx: Prisma.TransactionClient,
  key: string,
  resource: 'registration' | 'document',
  resourceId: string,
): Promise<string | null> {
  const { count } = await tx.naturalKey.createMany({
    data: [{ key, resource, resourceId }],
    skipDuplicates: true,
  })
  if (count === 1) return null
  return (await tx.naturalKey.findUniqueOrThrow({ where: { key } })).resourceId
}
