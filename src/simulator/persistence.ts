import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { SimDocument } from './document-types.js'
import type { IssuedToken, SimMessage, SimOtpTransaction, SimRegistration, SimulatorState } from './state.js'

/**
 * The simulator's memory on disk, so an embedded simulator survives `npm start` twice next to a
 * database that does (a forgotten registration would leave the gateway's rows orphans). What is
 * kept is what a real Privy would still know after a restart: registrations, documents (with their
 * PDFs), OTP transactions, the messages it "sent" (so a code sent before a restart can still be read
 * at `/__sim/messages`) and issued tokens. Faults, settings, the request log and callback attempts
 * are test scaffolding of one run and start empty.
 *
 * The file holds what the simulator already holds in memory (names, emails, phones, OTP codes of
 * its own messages; never a NIK or an image: see state.ts), is written only where it is told (the
 * data directory), mode 0600, and never logged. Each write goes to a temporary file that is then
 * renamed over the old one, so a crash mid-write leaves the previous state, never a torn one.
 */

const FORMAT_VERSION = 1

/** The state may hold PDFs; past this, the oldest documents are left out of the file (and a warning said). */
export const MAX_STATE_FILE_BYTES = 64 * 1024 * 1024

/** Coalesces the writes of a burst of requests into one. */
const WRITE_DELAY_MS = 50

interface Snapshot {
  version: number
  registrations: SimRegistration[]
  documents: SimDocument[]
  otps: SimOtpTransaction[]
  messages: SimMessage[]
  tokens: Array<[string, IssuedToken]>
}

/** Dates and Buffers as tagged objects: plain JSON would turn them into strings and byte arrays. */
function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key]
  if (raw instanceof Date) return { $date: raw.toISOString() }
  if (Buffer.isBuffer(raw)) return { $base64: raw.toString('base64') }
  return value
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const tagged = value as { $date?: unknown; $base64?: unknown }
    if (typeof tagged.$date === 'string' && Object.keys(value).length === 1) return new Date(tagged.$date)
    if (typeof tagged.$base64 === 'string' && Object.keys(value).length === 1) {
      return Buffer.from(tagged.$base64, 'base64')
    }
  }
  return value
}

/** base64 grows bytes by 4/3; the rest of a document is small beside its PDFs. */
function estimatedBytes(document: SimDocument): number {
  const pdfBytes = document.uploadedPdf.length + (document.signedPdf?.length ?? 0)
  return Math.ceil((pdfBytes * 4) / 3) + 4096
}

/** The documents that fit the budget, newest kept first. */
function documentsWithin(documents: SimDocument[], budget: number): SimDocument[] {
  const newestFirst = [...documents].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())
  const kept: SimDocument[] = []
  let used = 0
  for (const document of newestFirst) {
    used += estimatedBytes(document)
    if (used > budget) break
    kept.push(document)
  }
  return kept
}

function isSnapshot(value: unknown): value is Snapshot {
  if (value === null || typeof value !== 'object') return false
  const snapshot = value as Partial<Snapshot>
  return (
    snapshot.version === FORMAT_VERSION &&
    Array.isArray(snapshot.registrations) &&
    Array.isArray(snapshot.documents) &&
    Array.isArray(snapshot.otps) &&
    Array.isArray(snapshot.messages) &&
    Array.isArray(snapshot.tokens)
  )
}

export type PersistenceWarning = (message: string, details?: Record<string, unknown>) => void

export class StatePersistence {
  private timer: NodeJS.Timeout | undefined
  private writing: Promise<void> | undefined
  private dirty = false

  constructor(
    private readonly file: string,
    private readonly state: SimulatorState,
    private readonly warn: PersistenceWarning,
    private readonly maxBytes = MAX_STATE_FILE_BYTES,
  ) {}

  /** Loads the file into the state; a missing file is a first start, an unreadable one starts empty. */
  async load(): Promise<{ loaded: boolean }> {
    let text: string
    try {
      const { size } = await stat(this.file)
      if (size > this.maxBytes) {
        this.warn('the simulator state file is larger than its bound: starting empty', { size })
        return { loaded: false }
      }
      text = await readFile(this.file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { loaded: false }
      throw error
    }
    let snapshot: unknown
    try {
      snapshot = JSON.parse(text, reviver)
    } catch {
      snapshot = undefined
    }
    if (!isSnapshot(snapshot)) {
      this.warn('the simulator state file is not one this version wrote: starting empty')
      return { loaded: false }
    }
    for (const registration of snapshot.registrations) this.state.addRegistration(registration)
    for (const document of snapshot.documents) this.state.addDocument(document)
    for (const otp of snapshot.otps) this.state.otps.set(otp.transactionId, otp)
    for (const message of snapshot.messages) this.state.logMessage(message)
    for (const [token, issued] of snapshot.tokens) this.state.tokens.set(token, issued)
    return { loaded: true }
  }

  /** Something changed: write soon (one write per burst). */
  schedule(): void {
    this.dirty = true
    if (this.timer !== undefined || this.writing !== undefined) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.flush()
    }, WRITE_DELAY_MS)
    this.timer.unref()
  }

  /** Writes now if anything changed, after the write in progress; on close. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    while (this.writing !== undefined) await this.writing
    if (!this.dirty) return
    this.dirty = false
    this.writing = this.write().finally(() => {
      this.writing = undefined
    })
    await this.writing
    if (this.dirty) await this.flush()
  }

  private async write(): Promise<void> {
    const documents = [...this.state.documents.values()]
    const kept = documentsWithin(documents, this.maxBytes / 2)
    if (kept.length < documents.length) {
      this.warn('the simulator state is past its bound: the oldest documents are not kept on disk', {
        documents: documents.length,
        kept: kept.length,
      })
    }
    const snapshot: Snapshot = {
      version: FORMAT_VERSION,
      registrations: [...this.state.registrations.values()],
      documents: kept,
      otps: [...this.state.otps.values()],
      messages: this.state.messages,
      tokens: [...this.state.tokens.entries()],
    }
    const text = JSON.stringify(snapshot, replacer)
    if (Buffer.byteLength(text) > this.maxBytes) {
      this.warn('the simulator state is past its bound: not written', { bytes: Buffer.byteLength(text) })
      return
    }
    const temporary = `${this.file}.${randomBytes(4).toString('hex')}.tmp`
    try {
      await mkdir(dirname(this.file), { recursive: true })
      await writeFile(temporary, text, { mode: 0o600 })
      await rename(temporary, this.file)
    } catch (error) {
      await rm(temporary, { force: true })
      this.warn('the simulator state could not be written', { code: (error as NodeJS.ErrnoException).code })
    }
  }
}
