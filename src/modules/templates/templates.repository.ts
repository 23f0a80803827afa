import type { Prisma, PrismaClient, Template, TemplateVersion } from '../../generated/prisma/client.js'
import { bindIdempotencyKey, type IdempotencyKeyRef } from '../idempotency/index.js'
import type { ListFilters } from '../list-filters.js'

/** A template with the version asked for (its current one unless named). */
export type TemplateRecord = Template & { current: TemplateVersion }

/** What one version holds: the PDF by its hash, and the roles and stamps resolved to points. */
export type VersionData = Omit<
  TemplateVersion,
  'templateId' | 'version' | 'createdAt' | 'roles' | 'eMeterai' | 'metadata'
> & {
  roles: Prisma.InputJsonValue
  eMeterai: Prisma.InputJsonValue | null
  metadata: Prisma.InputJsonValue
}

const owned = (ownerId?: string) => (ownerId ? { ownerId } : {})

const olderThan = (after?: { createdAt: Date; id: string }): Prisma.TemplateWhereInput =>
  after
    ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }
    : {}

/** The only code that reads or writes templates and their versions. */
export function createTemplateRepository(prisma: PrismaClient) {
  /** `version` names one exactly: then a deleted template's is found too (a retry of what it sent). */
  async function find(id: string, ownerId?: string, version?: number): Promise<TemplateRecord | null> {
    const template = await prisma.template.findFirst({
      where: { id, ...(version === undefined ? { deletedAt: null } : {}), ...owned(ownerId) },
    })
    if (!template) return null
    const current = await prisma.templateVersion.findUnique({
      where: { templateId_version: { templateId: id, version: version ?? template.version } },
    })
    return current ? { ...template, current } : null
  }

  return {
    find,

    /**
     * The template and its first version; with an Idempotency-Key, the key is bound to it in the same
     * transaction, so a crash after the insert cannot leave a template the key does not know (a retry
     * would make a second one).
     */
    async create(
      template: { id: string; ownerId: string; name: string; now: Date },
      data: VersionData,
      idempotencyKey?: IdempotencyKeyRef,
    ) {
      const { eMeterai, ...rest } = data
      await prisma.$transaction(async (tx) => {
        await tx.template.create({
          data: {
            id: template.id,
            ownerId: template.ownerId,
            name: template.name,
            version: 1,
            createdAt: template.now,
            versions: { create: { version: 1, ...rest, eMeterai: eMeterai ?? undefined } },
          },
        })
        if (idempotencyKey) await bindIdempotencyKey(tx, idempotencyKey, template.id)
      })
      return (await find(template.id)) as TemplateRecord
    },

    /**
     * A new version, made current; null when there is no such template (or not the caller's). The
     * update locks the row, so two replacements at once make two versions, one after the other.
     */
    async replace(id: string, ownerId: string | undefined, name: string, data: VersionData) {
      const { eMeterai, ...rest } = data
      const done = await prisma.$transaction(async (tx) => {
        const { count } = await tx.template.updateMany({
          where: { id, deletedAt: null, ...owned(ownerId) },
          data: { version: { increment: 1 }, name },
        })
        if (count !== 1) return false
        const { version } = await tx.template.findUniqueOrThrow({ where: { id }, select: { version: true } })
        await tx.templateVersion.create({
          data: { templateId: id, version, ...rest, eMeterai: eMeterai ?? undefined },
        })
        return true
      })
      return done ? find(id) : null
    },

    /** Marked deleted, versions kept: documents sent from it name it, and their PDFs stay. */
    async markDeleted(id: string, ownerId: string | undefined, now: Date): Promise<boolean> {
      const { count } = await prisma.template.updateMany({
        where: { id, deletedAt: null, ...owned(ownerId) },
        data: { deletedAt: now },
      })
      return count === 1
    },

    async list(page: ListFilters & { limit: number; after?: { createdAt: Date; id: string } }) {
      const rows = await prisma.template.findMany({
        where: {
          AND: [
            { deletedAt: null },
            page.viewer ? { ownerId: page.viewer } : {},
            page.owner ? { ownerId: page.owner } : {},
            page.createdAfter ? { createdAt: { gte: page.createdAfter } } : {},
            page.createdBefore ? { createdAt: { lt: page.createdBefore } } : {},
            olderThan(page.after),
          ],
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: page.limit,
      })
      if (rows.length === 0) return []
      // One query for the current version of every template on the page.
      const versions = await prisma.templateVersion.findMany({
        where: { OR: rows.map((row) => ({ templateId: row.id, version: row.version })) },
      })
      const byId = new Map(versions.map((version) => [version.templateId, version]))
      return rows.flatMap((row) => {
        const current = byId.get(row.id)
        return current ? [{ ...row, current }] : []
      })
    },
  }
}

export type TemplateRepository = ReturnType<typeof createTemplateRepository>
