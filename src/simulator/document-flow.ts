import { randomBytes } from 'node:crypto'
import type { SimContext } from './context.js'
import type { DocumentStatus, SimDocument } from './document-types.js'
import { addHistory, allSignersSigned, changeDocumentStatus, requiredSigners } from './documents.js'
import { SimError } from './errors.js'
import { renderSignedPdf } from './pdf-marks.js'

/**
 * The docs/privy-contract.md §5.2 state machine of a document:
 *   "0" sign only          uploaded → (signatures) → processing → completed
 *   "1" e-Meterai only     uploaded → processing_emeterai → completed
 *   "2" sign, then stamp   uploaded → (signatures) → processing → processing_emeterai → completed
 *   "3" stamp, then sign   uploaded → processing_emeterai → uploaded → (signatures) → processing → completed
 * Each processing state lasts `document_processing_delay_ms`: 0 runs the chain inside the call that
 * caused it (deterministic tests), more runs it on timers, null waits for `/__sim/.../advance`.
 */

export type SignRefusal = { kind: 'not_recipient' | 'state' | 'turn'; message: string }

/** Why `privyId` may not sign `document` now, or undefined when they may. */
export function signRefusal(document: SimDocument, privyId: string): SignRefusal | undefined {
  const signer = document.signers.find((item) => item.privyId === privyId)
  if (signer === undefined) {
    return { kind: 'not_recipient', message: `${privyId} is not a recipient of this document` }
  }
  if (signer.status === 'signed') return { kind: 'state', message: `${privyId} has already signed` }
  if (document.status !== 'uploaded') {
    const why = document.status === 'processing_emeterai' ? ' (e-Meterai is stamped before signing)' : ''
    return { kind: 'state', message: `the document is ${document.status}${why}; it cannot be signed now` }
  }
  if (document.signProcess === 'serial' && signer.signerType === 'Signer') {
    const next = requiredSigners(document).find((item) => item.status !== 'signed')
    if (next !== undefined && next !== signer) {
      return {
        kind: 'turn',
        message: `it is not ${privyId}'s turn: ${next.privyId} signs first (serial signing)`,
      }
    }
  }
  return undefined
}

const PROCESSING: ReadonlySet<DocumentStatus> = new Set(['processing', 'processing_emeterai'])
const SERIAL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
/** e-Meterai serial numbers are 22 characters [chosen, after Peruri's format]. */
const SERIAL_LENGTH = 22

function newSerialNumber(): string {
  return [...randomBytes(SERIAL_LENGTH)]
    .map((byte) => SERIAL_ALPHABET[byte % SERIAL_ALPHABET.length])
    .join('')
}

export class DocumentProcessor {
  private readonly timers = new Map<SimDocument, NodeJS.Timeout>()

  constructor(private readonly context: SimContext) {}

  /** After an upload: e-Meterai-first processes ("1", "3") start stamping at once. */
  async uploaded(document: SimDocument): Promise<void> {
    if (document.docProcess !== '1' && document.docProcess !== '3') return
    await this.enterStamping(document)
  }

  /** Records a signature the caller has allowed (signRefusal); the last one starts processing. */
  async sign(document: SimDocument, privyId: string): Promise<void> {
    const signer = document.signers.find((item) => item.privyId === privyId)
    if (signer === undefined) throw new SimError(500, [`${privyId} is not a signer`])
    signer.status = 'signed'
    signer.signedAt = this.context.now()
    document.updatedAt = signer.signedAt
    addHistory(this.context, signer, 'Signed')
    this.context.events.document(document, 'signed')
    if (signer.signerType !== 'Signer' || !allSignersSigned(document)) return
    changeDocumentStatus(this.context, document, 'processing')
    await this.entered(document)
  }

  /** The next step now, after the delay, or not until `/__sim` advances it. */
  private async entered(document: SimDocument): Promise<void> {
    if (!PROCESSING.has(document.status)) return
    const delayMs = this.context.state.settings.documentProcessingDelayMs
    if (delayMs === null) return
    if (delayMs === 0) return this.advance(document)
    this.cancel(document)
    const status = document.status
    const timer = setTimeout(() => {
      this.timers.delete(document)
      // `/__sim` may have failed or advanced it meanwhile. advance() handles its own failures by
      // moving the document to `error`; anything else left would only be a refusal nobody awaits.
      if (document.status === status) this.advance(document).catch(() => undefined)
    }, delayMs)
    this.timers.set(document, timer)
  }

  /** One step out of processing or processing_emeterai; 409 from any other status. */
  async advance(document: SimDocument): Promise<void> {
    this.cancel(document)
    if (document.status === 'processing') {
      const stampAfter = document.emeterai !== undefined && document.emeterai.status !== 'stamped'
      if (stampAfter) await this.enterStamping(document)
      else await this.complete(document, 'processing')
      return
    }
    if (document.status !== 'processing_emeterai') {
      throw new SimError(409, [`Document is ${document.status}, not processing or processing_emeterai`])
    }
    const { emeterai } = document
    if (emeterai !== undefined) {
      emeterai.status = 'stamped'
      emeterai.serialNumber = newSerialNumber()
      emeterai.stampedAt = this.context.now()
    }
    // "3" stamps first, then the signers sign the stamped document.
    if (allSignersSigned(document)) await this.complete(document, 'processing_emeterai')
    else changeDocumentStatus(this.context, document, 'uploaded')
  }

  private async enterStamping(document: SimDocument): Promise<void> {
    if (document.emeterai !== undefined) document.emeterai.status = 'processing'
    changeDocumentStatus(this.context, document, 'processing_emeterai')
    await this.entered(document)
  }

  private async complete(document: SimDocument, from: DocumentStatus): Promise<void> {
    let signedPdf: Buffer
    try {
      signedPdf = await renderSignedPdf(document, this.context.now())
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      if (document.status === from) this.fail(document, `the signed PDF could not be built: ${reason}`)
      return
    }
    // A reset, or `/__sim` failing it, may have happened while the PDF was built.
    if (document.status !== from) return
    document.signedPdf = signedPdf
    changeDocumentStatus(this.context, document, 'completed')
  }

  /** `/__sim/.../fail`: processing (or stamping) ends in `error`. */
  fail(document: SimDocument, reason: string): void {
    if (!PROCESSING.has(document.status)) {
      throw new SimError(409, [`Document is ${document.status}; only a processing document can fail`])
    }
    this.cancel(document)
    if (document.emeterai?.status === 'processing') document.emeterai.status = 'failed'
    document.failure = reason
    changeDocumentStatus(this.context, document, 'error')
  }

  /** `/__sim/.../expire`: an uploaded document nobody finished signing. */
  expire(document: SimDocument): void {
    if (document.status !== 'uploaded') {
      throw new SimError(409, [`Document is ${document.status}; only an uploaded document can expire`])
    }
    changeDocumentStatus(this.context, document, 'expired')
  }

  private cancel(document: SimDocument): void {
    clearTimeout(this.timers.get(document))
    this.timers.delete(document)
  }

  cancelAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
  }
}
