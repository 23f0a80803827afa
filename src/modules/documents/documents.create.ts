import { randomUUID } from 'node:crypto'
import { AppError } from '../../errors/app-error.js'
import {
  heldByPrivy,
  heldByPrivyPending,
  operationPending,
  recordCreateFailure,
} from '../../errors/upstream-failure/index.js'
import type { Prisma } from '../../generated/prisma/client.js'
import type { PdfUpload as DocumentUpload } from '../../http/pdf-upload.js'
import type { AnswerKeeper } from '../../lib/answer-keeper.js'
import { isAwaitingAnswer as awaiting, lateAnswerDeadline, outcomeNotSettled } from '../../lib/late-answer.js'
import type { PiiCipher } from '../../lib/pii-crypto.js'
import { ownerIdFor, ownerScope, type Principal } from '../../lib/principal.js'
import { releaseBytes } from '../../lib/release-bytes.js'
import { eMeteraiStamp, type PointBox, signatureBox } from '../../pdf/index.js'
import type { PdfPool } from '../../pdf-worker/pool.js'
import type { DocumentUploadResult, LateAnswer, PrivyClient } from '../../privy/index.js'
import { DOC_PROCESS_CODES, SIGN_PROCESS_CODES } from '../../privy/index.js'
import type { IdempotencyClaim } from '../idempotency/index.js'
import type { RegistrationApi } from '../registration/index.js'
import {
  parseMetadata,
  placedInUpload,
  processOf,
  type ResolvedSigner,
  resolveSigners,
} from './documents.metadata.js'
import type { DocumentRecord, DocumentRepository } from './documents.repository.js'
import type { DocumentView } from './documents.schemas.js'
import type { DocumentSync } from './documents.sync.js'
import { toDocumentView } from './documents.view.js'

export interface DocumentServiceDeps {
  documents: DocumentRepository
  registrations: RegistrationApi
  privy: PrivyClient
  sync: DocumentSync
  now: () => Date
  pii: PiiCipher
  /** Reads PDFs in worker threads (src/pdf-worker/): never on the event loop. */
  pdf: Pick<PdfPool, 'inspect' | 'inspectMoved' | 'findText'>
  /** How long a late answer from Privy is waited for before a retry probes (PRIVY_LATE_ANSWER_MS). */
  lateAnswerMs: number
  /** A row still `in_flight` after this long lost its request. */
  inFlightBudgetMs: number
  /** Privy's answers that the database could not take, kept and written when it is back. */
  answers: AnswerKeeper
}

/**
 * The template version a document is sent from (recorded on its row), with what that version stored
 * when it was made from its PDF: the page count, and the boxes in points of each signer in the
 * metadata's order, then of the e-Meterai.
 */
export interface SentFrom {
  id: string
  version: number
  pageCount: number
  boxes: PointBox[][]
}

const documentPending = (id: string, detail: string) => operationPending('document', id, detail)

/** Uploads: everything Privy would refuse is refused here first, with the field that is wrong. */
export function createDocumentCreation(deps: DocumentServiceDeps) {
  const { documents, registrations, privy, now } = deps

  /**
   * Everything Privy would refuse, refused here first; the result is what Privy is sent. An upload's PDF
   * is inspected and its placements resolved in the worker pool; a template's version was, when it was
   * made, so its stored page count and boxes stand in for that (README "Templates").
   */
  async function prepare(principal: Principal, received: DocumentUpload, template?: SentFrom) {
    const metadata = parseMetadata(received.metadata)
    const placed = template
      ? { pageCount: template.pageCount, boxes: template.boxes, errors: [] }
      : await placedInUpload(deps.pdf, metadata, received)
    const signerBoxes = placed.boxes.slice(0, metadata.signers.length)
    const stampBoxes = metadata.e_meterai ? placed.boxes[metadata.signers.length] : undefined
    const { signers: people, errors: signerErrors } = await resolveSigners(
      registrations,
      metadata,
      ownerScope(principal).ownerId,
    )
    const errors = [...signerErrors, ...placed.errors]
    if (errors.length > 0) {
      throw new AppError('UNPROCESSABLE', { detail: 'The document cannot be signed as described', errors })
    }
    // Every placement is on its page now, and its points were computed by the check.
    const signers: ResolvedSigner[] = people.map((person) => ({
      ...person,
      placements: (signerBoxes[person.position - 1] ?? []).map((points) => {
        const box = signatureBox(points)
        return { page: box.page, x: box.x, y: box.y }
      }),
    }))
    const process = processOf(metadata)
    const stamps = stampBoxes?.map(eMeteraiStamp)
    return { metadata, pageCount: placed.pageCount, signers, process, stamps, received }
  }

  type Prepared = Awaited<ReturnType<typeof prepare>>

  async function upload(
    principal: Principal,
    received: DocumentUpload,
    claim?: IdempotencyClaim,
    template?: SentFrom,
  ): Promise<DocumentView> {
    const prepared = await prepare(principal, received, template)
    const { metadata, pageCount, signers, process, stamps } = prepared
    const id = randomUUID()
    const ownerId = ownerIdFor(principal)
    const intent = await documents.createIntent(
      {
        document: {
          id,
          createdAt: now(),
          ownerId,
          referenceNumber: `DOC-${id.replaceAll('-', '').toUpperCase()}`,
          title: metadata.title,
          process,
          signProcess: metadata.sign_process,
          visibility: metadata.visibility,
          sha256: received.sha256,
          sizeBytes: received.size,
          pageCount,
          templateId: template?.id ?? null,
          templateVersion: template?.version ?? null,
          eMeterai: metadata.e_meterai
            ? ({ category: metadata.e_meterai.category, placements: stamps ?? [] } as Prisma.InputJsonValue)
            : undefined,
        },
        signers: signers.map((signer) => ({ id: randomUUID(), ...signer, placements: signer.placements })),
      },
      deps.pii.lookupHash(
        'document',
        ownerId,
        received.sha256,
        JSON.stringify(signers.map((signer) => [signer.privyId, signer.role, signer.placements])),
        JSON.stringify(metadata.e_meterai ?? null),
      ),
      claim?.ref,
    )
    if ('existingId' in intent) {
      // The earlier upload of this PDF whose outcome is unknown: this retry settles it, by probing with
      // its reference number, rather than being refused until it settles by itself.
      const earlier = await documents.findOwned(intent.existingId, ownerId)
      if (earlier && earlier.submission !== 'submitted' && !isAwaitingAnswer(earlier)) {
        await claim?.bind(earlier.id)
        return submit(earlier, prepared)
      }
      throw new AppError('DOCUMENT_EXISTS', {
        detail:
          'This PDF was already sent to these signers and that document has not ended; follow it ' +
          '(it can be sent again once revoked, expired or failed)',
        extensions: { document_id: intent.existingId },
      })
    }
    claim?.boundInTransaction(id)
    return submit(intent.created, prepared)
  }

  /**
   * Sends the document to Privy under its reference number. Also the probe that settles a lost
   * answer: the reference is unique per channel, so a repeat cannot create a second document.
   */
  async function submit(record: DocumentRecord, prepared: Prepared): Promise<DocumentView> {
    const { metadata, signers, process, stamps, received } = prepared
    const { id } = record
    try {
      const result = await privy.documents.upload(
        {
          reference_number: record.referenceNumber,
          doc_process: DOC_PROCESS_CODES[process],
          visibility: metadata.visibility,
          document: {
            file: received.file,
            name: metadata.title,
            sign_process: SIGN_PROCESS_CODES[metadata.sign_process],
          },
          recipients:
            signers.length > 0
              ? signers.map((signer) => ({
                  privy_id: signer.privyId,
                  signer_type: signer.role === 'signer' ? 'Signer' : 'Reviewer',
                  notify: false,
                  positions: signer.placements,
                }))
              : undefined,
          e_meterai:
            metadata.e_meterai && stamps
              ? { category: metadata.e_meterai.category, positions: stamps }
              : undefined,
        },
        { onLateAnswer: (late) => adoptLateAnswer(record, late) },
      )
      // Privy answered, so it read the whole body: nothing reads the PDF again (only its hash is kept),
      // and its memory goes back now, not at the next full GC. On a failure it may still be streaming
      // to a late answer, so it is left to the GC then.
      releaseBytes(received.file)
      const answer = {
        documentToken: result.document_token,
        signingUrl: result.signing_url,
        status: result.status,
        syncedAt: now(),
      }
      // With the database away the answer (its token above all) is kept and written once it is back.
      const submitted = await deps.answers.writeOrKeep({
        key: `document:${id}`,
        referenceNumber: record.referenceNumber,
        write: () => documents.markSubmitted(id, answer),
      })
      return toDocumentView(submitted)
    } catch (error) {
      if (heldByPrivy(error)) {
        if (record.submission === 'unresolved') {
          throw outcomeNotSettled('document', record, now(), deps.inFlightBudgetMs)
        }
        await documents.markOutcome(id, 'unknown', { name: error.name, status: 409, reason: 'held by Privy' })
        throw heldByPrivyPending('document', id)
      }
      throw await recordCreateFailure(error, {
        resource: 'document',
        id,
        record: (outcome, summary) =>
          documents.markOutcome(id, outcome, summary, lateAnswerDeadline(error, now(), deps.lateAnswerMs)),
        rejectedDetail: 'Privy refused the document',
      })
    }
  }

  /** Privy's late answer settles the row, now or, with the database away, once it is back. */
  async function adoptLateAnswer(record: DocumentRecord, late: LateAnswer<DocumentUploadResult>) {
    const { id, referenceNumber } = record
    const key = `document:${id}`
    if (late.ok) {
      const { document_token: token, signing_url: signingUrl } = late.data
      const event = { type: 'sent_to_privy', detail: 'Uploaded to Privy (its answer came late)' }
      await deps.answers.write({
        key,
        referenceNumber,
        write: () => documents.adoptSubmitted(id, token, signingUrl, event),
      })
    } else if (late.error.outcome === 'not_applied' && late.error.status !== 409) {
      // A late refusal: Privy did not take it. (A late 5xx may have been taken: it stays unknown.)
      const failure = { name: late.error.name, status: late.error.status, late: true }
      await deps.answers.write({
        key,
        referenceNumber,
        write: () => documents.markOutcome(id, 'failed', failure),
      })
    }
  }

  /** A retry under the Idempotency-Key of an upload whose outcome was unknown. */
  async function resumeUpload(
    principal: Principal,
    id: string,
    received: DocumentUpload,
    claim: IdempotencyClaim,
    template?: SentFrom,
  ): Promise<DocumentView> {
    const record = await documents.findOwned(id, ownerScope(principal).ownerId)
    if (!record || record.submission === 'failed') return upload(principal, received, claim, template)
    if (record.submission === 'submitted') return toDocumentView(record)
    if (isAwaitingAnswer(record)) {
      throw documentPending(id, 'Privy may still answer the first request; retry shortly')
    }
    return submit(record, await prepare(principal, received, template))
  }

  const isAwaitingAnswer = (record: DocumentRecord) => awaiting(record, now(), deps.inFlightBudgetMs)

  return { upload, resumeUpload }
}
