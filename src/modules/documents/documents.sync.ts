import { asAppError } from '../../errors/upstream-failure/index.js'
import type { DocumentStatus, Prisma } from '../../generated/prisma/client.js'
import { syncedAtIsDue } from '../../lib/sync-heartbeat.js'
import type { PrivyClient } from '../../privy/index.js'
import { PrivyError } from '../../privy/index.js'
import type { DocumentRecord, DocumentRepository } from './documents.repository.js'
import { canMoveDocument, isDocumentSettled } from './documents.status.js'

/** What a status read or a callback says about a document (docs/privy-contract.md §5.3, §6). */
export interface UpstreamDocumentStatus {
  status: DocumentStatus
  signers?: Array<{ privy_id: string; status: string; signed_at?: string }>
  emeterai?: { status: string; serial_number?: string }
}

export interface DocumentSyncDeps {
  documents: DocumentRepository
  privy: PrivyClient
  now: () => Date
  refreshAfterSeconds: number
}

/** Keeps a document's copy in step with Privy, through the forward-only document state machine. */
export function createDocumentSync(deps: DocumentSyncDeps) {
  const { documents, privy, now } = deps

  async function refreshIfDue(record: DocumentRecord, explicit: boolean): Promise<DocumentRecord> {
    if (record.submission !== 'submitted') return record
    const age = record.syncedAt ? now().getTime() - record.syncedAt.getTime() : Number.POSITIVE_INFINITY
    if (!explicit && (isDocumentSettled(record.status) || age < deps.refreshAfterSeconds * 1000))
      return record
    // Only now: reading the token opens it (AES-GCM), which a read that asks Privy nothing need not pay.
    if (!record.documentToken) return record
    try {
      return await refresh(record)
    } catch (error) {
      if (!explicit && error instanceof PrivyError) return record
      throw asAppError(error)
    }
  }

  async function refresh(record: DocumentRecord): Promise<DocumentRecord> {
    if (!record.documentToken) return record
    const upstream = await privy.documents.status({
      reference_number: record.referenceNumber,
      document_token: record.documentToken,
    })
    return apply(record, upstream)
  }

  /**
   * Callbacks for one document arrive together (a last signature sends signed, processing and
   * completed at once). Each update is guarded by the status it read; the loser reads again and
   * re-applies its snapshot to the newer state, so none is lost.
   */
  async function apply(
    record: DocumentRecord,
    upstream: UpstreamDocumentStatus,
    attempt = 0,
  ): Promise<DocumentRecord> {
    const moves =
      upstream.status !== record.status &&
      canMoveDocument(record.status, upstream.status, record.process, isStamped(record))
    const signed = (upstream.signers ?? []).flatMap((signer) => {
      const seat = record.signers.find((known) => known.privyId === signer.privy_id)
      if (seat?.status !== 'waiting' || signer.status !== 'signed') return []
      const at = signer.signed_at ? new Date(signer.signed_at) : now()
      return [{ id: seat.id, signedAt: Number.isNaN(at.getTime()) ? now() : at }]
    })
    const stamp = upstream.emeterai ? mergeEMeterai(record.eMeterai, upstream.emeterai) : undefined
    if (!moves && signed.length === 0 && stamp === undefined) {
      if (syncedAtIsDue(record.syncedAt, now(), deps.refreshAfterSeconds)) {
        await documents.touchSynced(record.id, now())
      }
      return record
    }
    const status = moves ? upstream.status : record.status
    const applied = await documents.applyStatus(
      record,
      {
        status,
        syncedAt: now(),
        ...(stamp === undefined ? {} : { eMeterai: stamp }),
        ...(status === 'revoked' ? { revokedAt: now() } : {}),
      },
      signed,
      moves ? { type: `status_${status}`, detail: `Privy reports the document ${status}` } : undefined,
    )
    if (applied) return applied
    const fresh = await documents.findVisible(record.id)
    if (!fresh || attempt >= 5) return fresh ?? record
    return apply(fresh, upstream, attempt + 1)
  }

  /** A `document` callback: applied like a read, so a duplicate or a late one changes nothing. */
  async function applyCallback(
    referenceNumber: string,
    upstream: UpstreamDocumentStatus & { document_token?: string; signing_url?: string },
  ): Promise<boolean> {
    let record = await documents.findByReference(referenceNumber)
    if (!record || record.submission === 'failed') return false
    if (record.submission !== 'submitted') {
      // The upload's answer was lost, but Privy has the document: its callback proves it.
      if (!upstream.document_token) return false
      const adopted = await documents.adoptSubmitted(
        record.id,
        upstream.document_token,
        upstream.signing_url ?? null,
      )
      // Another callback of the same burst may have adopted it first.
      record = adopted ?? (await documents.findByReference(referenceNumber))
      if (record?.submission !== 'submitted') return false
    }
    const applied = await apply(record, upstream)
    return applied.status !== record.status || applied.updatedAt.getTime() !== record.updatedAt.getTime()
  }

  return { refreshIfDue, refresh, apply, applyCallback }
}

export type DocumentSync = ReturnType<typeof createDocumentSync>

function isStamped(record: DocumentRecord): boolean {
  const stamp = record.eMeterai
  return Boolean(
    stamp && typeof stamp === 'object' && !Array.isArray(stamp) && typeof stamp.serial_number === 'string',
  )
}

/** The stamp only moves forward too: a late snapshot never takes back a serial number. */
const STAMP_ORDER = ['waiting', 'processing', 'stamped', 'failed']

function mergeEMeterai(
  stored: Prisma.JsonValue,
  upstream: { status: string; serial_number?: string },
): Prisma.InputJsonValue | undefined {
  const current = stored && typeof stored === 'object' && !Array.isArray(stored) ? stored : {}
  if (current.status === upstream.status && current.serial_number === (upstream.serial_number ?? null)) {
    return undefined
  }
  if (typeof current.serial_number === 'string' && !upstream.serial_number) return undefined
  const rank = (status: unknown) => STAMP_ORDER.indexOf(typeof status === 'string' ? status : '')
  if (rank(upstream.status) < rank(current.status)) return undefined
  return {
    ...current,
    status: upstream.status,
    serial_number: upstream.serial_number ?? null,
  } as Prisma.InputJsonValue
}
