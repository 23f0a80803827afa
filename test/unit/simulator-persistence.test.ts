import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DEV_CREDENTIALS } from '../../src/simulator/dev-credentials.js'
import type { SimDocument } from '../../src/simulator/document-types.js'
import { startSimulator } from '../../src/simulator/index.js'
import { StatePersistence } from '../../src/simulator/persistence.js'
import { type SimRegistration, SimulatorState } from '../../src/simulator/state.js'
import { eventually } from '../helpers/eventually.js'

const settings = {
  verificationDelayMs: null,
  callbackUrl: null,
  callbackRetryBaseMs: 1000,
  documentProcessingDelayMs: 0,
  answerStyle: 'contract' as const,
}
const dirs: string[] = []
afterAll(async () => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))))

async function stateFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sim-state-'))
  dirs.push(dir)
  return join(dir, 'privy-simulator.json')
}

function registration(reference: string): SimRegistration {
  const at = new Date('2026-12-07T10:00:00.000Z')
  return {
    referenceNumber: reference,
    channelId: 'CH',
    registrationType: 'privy_ra',
    registerToken: `token-${reference}`,
    landingToken: undefined,
    status: 'waiting_otp',
    email: 'siti@example.co.id',
    phone: '6281234567890',
    name: 'Siti',
    phoneVerified: false,
    registrationUrl: undefined,
    scriptedOutcome: { kind: 'verified' },
    privyId: undefined,
    rejectReason: undefined,
    resend: undefined,
    statusHistory: [{ status: 'waiting_otp', data: { status: 'waiting_otp' } }],
    createdAt: at,
    updatedAt: at,
  }
}

function document(reference: string, bytes: number, updatedAt: Date): SimDocument {
  return {
    referenceNumber: reference,
    channelId: 'CH',
    documentToken: `doc-${reference}`,
    signingToken: `sign-${reference}`,
    signingUrl: 'http://sim/sign/x',
    info: undefined,
    documentName: 'a.pdf',
    docProcess: '0',
    visibility: true,
    signProcess: 'serial',
    status: 'uploaded',
    signers: [],
    emeterai: undefined,
    pageCount: 1,
    uploadedPdf: Buffer.alloc(bytes, 7),
    signedPdf: undefined,
    failure: undefined,
    createdAt: updatedAt,
    updatedAt,
    deletedAt: undefined,
  }
}

const noWarnings = (message: string) => {
  throw new Error(`unexpected warning: ${message}`)
}

describe('the simulator state file', () => {
  it('brings back registrations, documents (PDF bytes, dates) and messages as they were', async () => {
    const file = await stateFile()
    const before = new SimulatorState(settings)
    before.addRegistration(registration('REF-1'))
    before.addDocument(document('DOC-1', 1000, new Date('2026-12-07T11:00:00.000Z')))
    before.logMessage({
      channel: 'sms',
      to: '628',
      text: 'Kode 123456',
      transaction_id: 't',
      reference_number: 'REF-1',
      at: 'x',
    })
    const writer = new StatePersistence(file, before, noWarnings)
    writer.schedule()
    await writer.flush()
    expect((await readdir(join(file, '..'))).filter((name) => name.endsWith('.tmp'))).toEqual([])

    const after = new SimulatorState(settings)
    expect(await new StatePersistence(file, after, noWarnings).load()).toEqual({ loaded: true })
    expect(after.registration('CH', 'REF-1')).toEqual(registration('REF-1'))
    const restored = after.document('CH', 'DOC-1')
    expect(restored?.uploadedPdf.equals(Buffer.alloc(1000, 7))).toBe(true)
    expect(restored?.updatedAt).toEqual(new Date('2026-12-07T11:00:00.000Z'))
    expect(after.messages.map((message) => message.text)).toEqual(['Kode 123456'])
  })

  it('stays within its bound: the oldest documents are left out, with a warning', async () => {
    const file = await stateFile()
    const state = new SimulatorState(settings)
    for (let index = 0; index < 10; index++) {
      state.addDocument(document(`DOC-${index}`, 30_000, new Date(Date.UTC(2026, 11, 7, 10, index))))
    }
    const warnings: string[] = []
    const persistence = new StatePersistence(file, state, (message) => warnings.push(message), 200_000)
    persistence.schedule()
    await persistence.flush()
    expect((await readFile(file)).length).toBeLessThanOrEqual(200_000)
    expect(warnings).toHaveLength(1)
    const reloaded = new SimulatorState(settings)
    await new StatePersistence(file, reloaded, noWarnings, 200_000).load()
    const kept = [...reloaded.documents.values()].map((item) => item.referenceNumber).sort()
    expect(kept.length).toBeGreaterThan(0)
    expect(kept.length).toBeLessThan(10)
    expect(kept).toContain('DOC-9')
    expect(kept).not.toContain('DOC-0')
  })

  it('starts empty, with a warning, from a file it cannot read; and quietly when there is none', async () => {
    const file = await stateFile()
    const state = new SimulatorState(settings)
    expect(await new StatePersistence(file, state, noWarnings).load()).toEqual({ loaded: false })
    await writeFile(file, '{"version": 1, "registrations": [')
    const warnings: string[] = []
    expect(await new StatePersistence(file, state, (message) => warnings.push(message)).load()).toEqual({
      loaded: false,
    })
    expect(warnings).toEqual([expect.stringContaining('starting empty')])
    expect(state.registrations.size).toBe(0)
  })
})

describe('a simulator started on its state file', () => {
  it('verifies after the delay a registration that was waiting for verification before the restart', async () => {
    const file = await stateFile()
    const before = new SimulatorState(settings)
    before.addRegistration({
      ...registration('REF-WAIT'),
      channelId: DEV_CREDENTIALS.channelId,
      status: 'waiting_verification',
    })
    const writer = new StatePersistence(file, before, noWarnings)
    writer.schedule()
    await writer.flush()

    const simulator = await startSimulator({ stateFile: file, verificationDelayMs: 100 })
    try {
      expect(simulator.restored).toBe(true)
      const restored = simulator.state.registration(DEV_CREDENTIALS.channelId, 'REF-WAIT')
      await eventually('the restored registration verified', () => restored?.status === 'verified')
    } finally {
      await simulator.close()
    }
  })
})
