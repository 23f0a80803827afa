import type { TemplateRecord } from './templates.repository.js'
import type { StoredEMeterai, StoredRole } from './templates.resolve.js'
import type { TemplateView } from './templates.schemas.js'

/** The merchant-facing shape of a template at its current version. */
export function toTemplateView(record: TemplateRecord): TemplateView {
  const { current } = record
  return {
    id: record.id,
    name: record.name,
    version: current.version,
    sign_process: current.signProcess,
    visibility: current.visibility,
    sha256: current.sha256,
    size_bytes: current.sizeBytes,
    page_count: current.pageCount,
    roles: (current.roles as unknown as StoredRole[]).map((role) => ({
      name: role.name,
      role: role.role,
      placements: role.placements,
    })),
    e_meterai: (current.eMeterai as unknown as StoredEMeterai | null) ?? null,
    created_at: record.createdAt.toISOString(),
    updated_at: record.updatedAt.toISOString(),
  }
}
