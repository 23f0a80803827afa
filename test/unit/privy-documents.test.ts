import { inspect } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createPrivyClient,
  type DocumentUploadInput,
  PDF_DATA_URL_PREFIX,
  PrivyConnectionError,
  PrivyResponseValidationError,
  PrivyServerError,
  PrivyTimeoutError,
  PrivyUnprocessableEntityError,
  signedDocument,
} from '../../src/privy/index.js'
import { signatureMatches } from '../../src/privy/signing.js'
import {
  CREDENTIALS,
  created,
  dropSocket,
  errorReply,
  type FakePrivy,
  hang,
  type RecordedCall,
  type Responder,
  startFakePrivy,
  testClient,
} from './privy-fake-server.js'

const UPLOAD_PATH = '/web/api/v2/doc-signing'
const STATUS_PATH = '/web/api/v2/doc-signing/status'
const HISTORY_PATH = '/web/api/v2/doc-signing/history'
const REVOKE_PATH = '/web/api/v2/doc-signing/delete'

const ENTERPRISE = { enterprisePrivyId: 'ENT-001', enterpriseToken: 'ent-token-xyz' }
const MiB = 1024 * 1024

/** Not a real PDF: the client never looks inside, it only encodes the bytes. */
const pdfOf = (size: number) => {
  const bytes = Buffer.alloc(size)
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) % 256
  bytes.write('%PDF-1.7\n')
  return bytes
}
const PDF = pdfOf(1_000)

const fullInput = (file: Buffer = PDF): DocumentUploadInput => ({
  e_meterai: {
    positions: [{ dimension: 40, page: 2, y: 500, x: 100 }],
    category: 'surat_perjanjian',
  },
  recipients: [
    { positions: [{ page: 1, y: 700, x: 50 }], notify: true, signer_type: 'Signer', privy_id: 'PRV-1' },
    { notify: false, positions: [], signer_type: 'Reviewer', privy_id: 'PRV-2' },
  ],
  document: { sign_process: '1', name: 'perjanjian kredit.pdf', file },
  visibility: true,
  doc_process: '2',
  info: 'Loan 42',
  reference_number: 'DOC-0001',
})

const UPLOADED = {
  reference_number: 'DOC-0001',
  channel_id: 'CH-TEST',
  document_token: 'dt-1',
  status: 'uploaded',
  signing_url: 'https://privy.example/sign/dt-1',
}

const STATUS_DATA = {
  reference_number: 'DOC-0001',
  channel_id: 'CH-TEST',
  document_token: 'dt-1',
  status: 'uploaded',
  signing_url: 'https://privy.example/sign/dt-1',
  signers: [{ privy_id: 'PRV-1', signer_type: 'Signer', status: 'waiting' }],
}

const ref = { document_token: 'dt-1', reference_number: 'DOC-0001' }
const REF_BODY = '{"reference_number":"DOC-0001","channel_id":"CH-TEST","document_token":"dt-1"}'

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  )

function objectAt(value: unknown, ...path: (string | number)[]): Record<string, unknown> {
  let current: unknown = value
  for (const key of path) {
    if (typeof current !== 'object' || current === null) throw new Error(`no object at ${path.join('.')}`)
    current = Object.entries(current).find(([name]) => name === String(key))?.[1]
  }
  if (typeof current !== 'object' || current === null || Array.isArray(current)) {
    throw new Error(`no object at ${path.join('.')}`)
  }
  return Object.fromEntries(Object.entries(current))
}

const signatureOk = (call: RecordedCall | undefined) =>
  signatureMatches(
    { apiKey: CREDENTIALS.apiKey, apiSecret: CREDENTIALS.apiSecret },
    String(call?.headers.timestamp),
    call?.json ?? {},
    String(call?.headers.signature),
  )

const afterMs =
  (ms: number, responder: Responder): Responder =>
  (res, call, req) => {
    setTimeout(() => responder(res, call, req), ms)
  }

let privy: FakePrivy | undefined
afterEach(async () => {
  await privy?.close()
  privy = undefined
})

describe('Document upload (contract §5.1): the wire body', () => {
  it('is built in the contract key order with "0"/"1" flags and doc_owner from the options', async () => {
    privy = await startFakePrivy({ [UPLOAD_PATH]: [created(UPLOADED)] })
    const { client } = testClient(privy.baseUrl, ENTERPRISE)
    await expect(client.documents.upload(fullInput())).resolves.toEqual(UPLOADED)

    const [call] = privy.callsTo(UPLOAD_PATH)
    const json = call?.json
    expect(Object.keys(json ?? {})).toEqual([
      'reference_number',
      'channel_id',
      'info',
      'doc_process',
      'visibility',
      'doc_owner',
      'document',
      'recipients',
      'e_meterai',
    ])
    expect(Object.keys(objectAt(json, 'doc_owner'))).toEqual(['privyId', 'enterpriseToken'])
    expect(Object.keys(objectAt(json, 'document'))).toEqual([
      'document_file',
      'document_name',
      'sign_process',
    ])
    for (const index of [0, 1]) {
      expect(Object.keys(objectAt(json, 'recipients', index))).toEqual([
        'user_type',
        'id_user',
        'signer_type',
        'notify_user',
        'sign_positions',
      ])
    }
    expect(Object.keys(objectAt(json, 'recipients', 0, 'sign_positions', 0))).toEqual([
      'posX',
      'posY',
      'signPage',
    ])
    expect(Object.keys(objectAt(json, 'e_meterai'))).toEqual(['doc_category', 'stamp_position'])
    expect(Object.keys(objectAt(json, 'e_meterai', 'stamp_position', 0))).toEqual([
      'pos_x',
      'pos_y',
      'page',
      'dimension',
    ])

    // Byte for byte: flags as "0"/"1" strings, visibility a JSON boolean, the PDF as a data URL.
    const dataUrl = PDF_DATA_URL_PREFIX + PDF.toString('base64')
    expect(call?.body).toBe(
      '{"reference_number":"DOC-0001","channel_id":"CH-TEST","info":"Loan 42","doc_process":"2",' +
        '"visibility":true,"doc_owner":{"privyId":"ENT-001","enterpriseToken":"ent-token-xyz"},' +
        `"document":{"document_file":"${dataUrl}","document_name":"perjanjian kredit.pdf","sign_process":"1"},` +
        '"recipients":[{"user_type":"0","id_user":"PRV-1","signer_type":"Signer","notify_user":"1",' +
        '"sign_positions":[{"posX":50,"posY":700,"signPage":1}]},' +
        '{"user_type":"0","id_user":"PRV-2","signer_type":"Reviewer","notify_user":"0","sign_positions":[]}],' +
        '"e_meterai":{"doc_category":"surat_perjanjian","stamp_position":[{"pos_x":100,"pos_y":500,"page":2,"dimension":40}]}}',
    )
    expect(call?.headers['content-type']).toBe('application/json')
    expect(call?.headers['content-length']).toBe(String(Buffer.byteLength(call?.body ?? '')))
    expect(signatureOk(call)).toBe(true)
    await client.close()
  })

  it('leaves out what was not given (e-Meterai only: no info, no recipients)', async () => {
    privy = await startFakePrivy({ [UPLOAD_PATH]: [created(UPLOADED)] })
    const { client } = testClient(privy.baseUrl, ENTERPRISE)
    await client.documents.upload({
      reference_number: 'DOC-0002',
      doc_process: '1',
      visibility: false,
      document: { file: pdfOf(4), name: 'a.pdf', sign_process: '0' },
      e_meterai: { category: 'dokumen_lain_lain', positions: [] },
    })
    const [call] = privy.callsTo(UPLOAD_PATH)
    expect(Object.keys(call?.json ?? {})).toEqual([
      'reference_number',
      'channel_id',
      'doc_process',
      'visibility',
      'doc_owner',
      'document',
      'e_meterai',
    ])
    expect(call?.json).toMatchObject({ visibility: false, doc_process: '1' })
    await client.close()
  })

  it('encodes every byte of a PDF whose size is not a multiple of the encoding chunk', async () => {
    privy = await startFakePrivy({ [UPLOAD_PATH]: [created(UPLOADED)] })
    const { client } = testClient(privy.baseUrl, ENTERPRISE)
    const file = pdfOf(3 * 64 * 1024 * 2 + 2)
    await client.documents.upload(fullInput(file))
    const documentFile = objectAt(privy.callsTo(UPLOAD_PATH)[0]?.json, 'document').document_file
    expect(documentFile).toBe(PDF_DATA_URL_PREFIX + file.toString('base64'))
    await client.close()
  })

  it('signs without the document: the server recomputes the Signature over a 12 MiB body', async () => {
    privy = await startFakePrivy({ [UPLOAD_PATH]: [created(UPLOADED)] })
    const { client } = testClient(privy.baseUrl, ENTERPRISE)
    const file = pdfOf(9 * MiB)
    await client.documents.upload(fullInput(file))
    const [call] = privy.callsTo(UPLOAD_PATH)
    expect(call?.body.length).toBeGreaterThan(12 * MiB)
    expect(signatureOk(call)).toBe(true)

    // The same Signature holds whatever the document is, so the document really is not signed...
    const otherDocument = { ...call?.json, document: { document_file: 'x' } }
    const ok = signatureMatches(
      { apiKey: CREDENTIALS.apiKey, apiSecret: CREDENTIALS.apiSecret },
      String(call?.headers.timestamp),
      otherDocument,
      String(call?.headers.signature),
    )
    expect(ok).toBe(true)
    // ...while every other field is.
    const otherOwner = { ...call?.json, doc_owner: { privyId: 'ENT-002', enterpriseToken: 'ent-token-xyz' } }
    const forged = signatureMatches(
      { apiKey: CREDENTIALS.apiKey, apiSecret: CREDENTIALS.apiSecret },
      String(call?.headers.timestamp),
      otherOwner,
      String(call?.headers.signature),
    )
    expect(forged).toBe(false)
    await client.close()
  })

  it('is refused without an enterprise account, before anything is sent', async () => {
    privy = await startFakePrivy({ [UPLOAD_PATH]: [created(UPLOADED)] })
    const { client } = testClient(privy.baseUrl)
    const error = await failure(client.documents.upload(fullInput()))
    expect(error).toBeInstanceOf(TypeError)
    expect(String(error)).toContain('enterprisePrivyId and enterpriseToken')
    expect(privy.calls).toHaveLength(0)
    await client.close()
  })

  it('refuses half an enterprise account or an empty one when the client is created', () => {
    const base = { baseUrl: 'https://stg-core.privy.id', ...CREDENTIALS }
    expect(() => createPrivyClient({ ...base, enterprisePrivyId: 'ENT-001' })).toThrow(/set together/)
    expect(() => createPrivyClient({ ...base, enterpriseToken: 'ent-token-xyz' })).toThrow(/set together/)
    expect(() => createPrivyClient({ ...base, ...ENTERPRISE, enterpriseToken: '' })).toThrow(
      /enterpriseToken must not be empty/,
    )
    expect(() => createPrivyClient({ ...base, uploadTimeoutMs: 0 })).toThrow(/uploadTimeoutMs/)
    expect(() => createPrivyClient({ ...base, maxDocumentResponseBytes: -1 })).toThrow(
      /maxDocumentResponseBytes/,
    )
  })
})

describe('Document upload: sent once', () => {
  it.each([
    ['503', errorReply(503), PrivyServerError],
    ['a timeout', hang, PrivyTimeoutError],
    ['a dropped connection', dropSocket, PrivyConnectionError],
  ])('on %s it fails with outcome unknown and is not retried', async (_label, responder, ErrorClass) => {
    privy = await startFakePrivy({ [UPLOAD_PATH]: [responder, created(UPLOADED)] })
    const { client, sleeps } = testClient(privy.baseUrl, { ...ENTERPRISE, uploadTimeoutMs: 300 })
    const error = await failure(client.documents.upload(fullInput()))
    expect(error).toBeInstanceOf(ErrorClass)
    expect(error).toMatchObject({ outcome: 'unknown', operation: 'documents.upload' })
    for (const text of [String(error), JSON.stringify(error), inspect(error, { depth: 5 })]) {
      expect(text).not.toContain(ENTERPRISE.enterpriseToken)
      expect(text).not.toContain(PDF.toString('base64').slice(0, 40))
    }
    expect(privy.callsTo(UPLOAD_PATH)).toHaveLength(1)
    expect(sleeps).toEqual([])
    await client.close()
  })

  it('after a 401 re-sends the same bytes once, freshly signed', async () => {
    const clock = { now: new Date('2026-11-25T03:00:00Z') }
    privy = await startFakePrivy({
      [UPLOAD_PATH]: [
        (res, call, req) => {
          clock.now = new Date('2026-11-25T03:00:05Z')
          errorReply(401)(res, call, req)
        },
        created(UPLOADED),
      ],
    })
    const { client } = testClient(privy.baseUrl, { ...ENTERPRISE, now: () => clock.now })
    await expect(client.documents.upload(fullInput(pdfOf(100_000)))).resolves.toEqual(UPLOADED)
    const calls = privy.callsTo(UPLOAD_PATH)
    expect(calls).toHaveLength(2)
    expect(calls[1]?.body).toBe(calls[0]?.body)
    expect(calls[0]?.headers.signature).not.toBe(calls[1]?.headers.signature)
    expect(calls.map(signatureOk)).toEqual([true, true])
    await client.close()
  })

  it('waits uploadTimeoutMs, not timeoutMs', async () => {
    privy = await startFakePrivy({ [UPLOAD_PATH]: [afterMs(600, created(UPLOADED))] })
    const { client } = testClient(privy.baseUrl, { ...ENTERPRISE, timeoutMs: 200, uploadTimeoutMs: 5_000 })
    await expect(client.documents.upload(fullInput())).resolves.toEqual(UPLOADED)
    await client.close()
  })
})

describe('Document status (contract §5.3)', () => {
  it('sends reference, channel and token, and is retried after 503', async () => {
    privy = await startFakePrivy({ [STATUS_PATH]: [errorReply(503), created(STATUS_DATA)] })
    const { client, sleeps } = testClient(privy.baseUrl)
    await expect(client.documents.status(ref)).resolves.toEqual(STATUS_DATA)
    expect(privy.callsTo(STATUS_PATH).map((call) => call.body)).toEqual([REF_BODY, REF_BODY])
    expect(sleeps).toHaveLength(1)
    await client.close()
  })

  it('parses a completed document; null optionals become undefined', async () => {
    const completed = {
      ...STATUS_DATA,
      status: 'completed',
      signers: [
        {
          privy_id: 'PRV-1',
          signer_type: 'Signer',
          status: 'signed',
          signed_at: '2026-11-25T10:05:00+07:00',
        },
        { privy_id: 'PRV-2', signer_type: 'Reviewer', status: 'signed', signed_at: null },
      ],
      emeterai: { status: 'stamped', serial_number: 'SN-1' },
      signed_document: `${PDF_DATA_URL_PREFIX}${PDF.toString('base64')}`,
    }
    privy = await startFakePrivy({
      [STATUS_PATH]: [created(completed), created({ ...STATUS_DATA, emeterai: null, signed_document: null })],
    })
    const { client } = testClient(privy.baseUrl)
    const result = await client.documents.status(ref)
    expect(result.signers[1]).toEqual({ privy_id: 'PRV-2', signer_type: 'Reviewer', status: 'signed' })
    expect(result.emeterai).toEqual({ status: 'stamped', serial_number: 'SN-1' })
    expect(signedDocument(result)).toEqual(PDF)
    const pending = await client.documents.status(ref)
    expect(pending).toEqual(STATUS_DATA)
    expect(signedDocument(pending)).toBeUndefined()
    await client.close()
  })

  it('accepts a 5 MB signed_document under maxDocumentResponseBytes, beyond maxResponseBytes', async () => {
    const file = pdfOf(5_000_000)
    const completed = {
      ...STATUS_DATA,
      status: 'completed',
      signed_document: PDF_DATA_URL_PREFIX + file.toString('base64'),
    }
    privy = await startFakePrivy({ [STATUS_PATH]: [created(completed)] })
    const { client } = testClient(privy.baseUrl)
    const result = await client.documents.status(ref)
    expect(signedDocument(result)?.equals(file)).toBe(true)
    await client.close()
  })

  it('refuses a signed_document over maxDocumentResponseBytes, without retrying', async () => {
    const completed = {
      ...STATUS_DATA,
      status: 'completed',
      signed_document: PDF_DATA_URL_PREFIX + pdfOf(5_000_000).toString('base64'),
    }
    privy = await startFakePrivy({ [STATUS_PATH]: [created(completed)] })
    const { client } = testClient(privy.baseUrl, { maxDocumentResponseBytes: 4 * MiB })
    const error = await failure(client.documents.status(ref))
    expect(error).toBeInstanceOf(PrivyResponseValidationError)
    expect(String(error)).toContain(`exceeds ${4 * MiB} bytes`)
    expect(privy.callsTo(STATUS_PATH)).toHaveLength(1)
    await client.close()
  })

  it.each([
    ['a wrong prefix', `data:application/octet-stream;base64,${PDF.toString('base64')}`],
    ['no prefix', PDF.toString('base64')],
    ['characters outside base64', `${PDF_DATA_URL_PREFIX}JVBE*i0x`],
    ['a cut-off group', `${PDF_DATA_URL_PREFIX}JVBERi0`],
    ['padding in the middle', `${PDF_DATA_URL_PREFIX}JV==Ri0x`],
    ['an empty payload', PDF_DATA_URL_PREFIX],
  ])('refuses a signed_document with %s as PrivyResponseValidationError', async (_label, signed) => {
    privy = await startFakePrivy({
      [STATUS_PATH]: [created({ ...STATUS_DATA, status: 'completed', signed_document: signed })],
    })
    const { client } = testClient(privy.baseUrl)
    const error = await failure(client.documents.status(ref))
    expect(error).toBeInstanceOf(PrivyResponseValidationError)
    expect(error).toMatchObject({ issues: [{ path: 'signed_document' }], outcome: 'unknown' })
    expect(String(error)).not.toContain('JVBE')
    await client.close()
  })

  it('refuses an unknown document or signer status', async () => {
    privy = await startFakePrivy({
      [STATUS_PATH]: [
        created({ ...STATUS_DATA, status: 'signed' }),
        created({ ...STATUS_DATA, signers: [{ privy_id: 'P', signer_type: 'Signer', status: 'done' }] }),
      ],
    })
    const { client } = testClient(privy.baseUrl)
    await expect(client.documents.status(ref)).rejects.toMatchObject({ issues: [{ path: 'status' }] })
    await expect(client.documents.status(ref)).rejects.toMatchObject({
      issues: [{ path: 'signers.0.status' }],
    })
    await client.close()
  })

  it('signedDocument refuses what is not a base64 PDF data URL', () => {
    expect(() => signedDocument({ signed_document: 'data:text/plain;base64,QQ==' })).toThrow(TypeError)
    expect(signedDocument({ signed_document: `${PDF_DATA_URL_PREFIX}JVBERg==` })).toEqual(Buffer.from('%PDF'))
  })
})

describe('Document history (contract §5.4) and revoke (§5.5)', () => {
  const HISTORY = {
    document: {
      name: 'perjanjian kredit.pdf',
      status: 'processing',
      document_token: 'dt-1',
      reference_number: 'DOC-0001',
      signers: [
        {
          privy_id: 'PRV-1',
          signer_type: 'Signer',
          status: 'signed',
          histories: [
            { description: 'Document opened', created_at: '2026-11-25T10:01:00+07:00' },
            { description: 'Document signed', created_at: '2026-11-25T10:02:00+07:00' },
          ],
        },
      ],
    },
  }

  it('history sends the document ref, is retried after a dropped connection, and parses the shape', async () => {
    privy = await startFakePrivy({ [HISTORY_PATH]: [dropSocket, created(HISTORY)] })
    const { client } = testClient(privy.baseUrl)
    await expect(client.documents.history(ref)).resolves.toEqual(HISTORY)
    expect(privy.callsTo(HISTORY_PATH).map((call) => call.body)).toEqual([REF_BODY, REF_BODY])
    await client.close()
  })

  it('history refuses a signer without histories', async () => {
    const broken = {
      document: {
        ...HISTORY.document,
        signers: [{ privy_id: 'P', signer_type: 'Signer', status: 'signed' }],
      },
    }
    privy = await startFakePrivy({ [HISTORY_PATH]: [created(broken)] })
    const { client } = testClient(privy.baseUrl)
    await expect(client.documents.history(ref)).rejects.toMatchObject({
      issues: [{ path: 'document.signers.0.histories' }],
    })
    await client.close()
  })

  it('revoke sends the document ref to /delete and parses the answer', async () => {
    const revoked = { document_token: 'dt-1', deleted_at: '2026-11-25T10:10:00+07:00' }
    privy = await startFakePrivy({ [REVOKE_PATH]: [created(revoked)] })
    const { client } = testClient(privy.baseUrl)
    await expect(client.documents.revoke(ref)).resolves.toEqual(revoked)
    expect(privy.callsTo(REVOKE_PATH)[0]?.body).toBe(REF_BODY)
    await client.close()
  })

  it('revoke is never retried, and a refused revoke is a 422', async () => {
    privy = await startFakePrivy({
      [REVOKE_PATH]: [errorReply(503), errorReply(422, ['document already completed'])],
    })
    const { client, sleeps } = testClient(privy.baseUrl)
    await expect(client.documents.revoke(ref)).rejects.toBeInstanceOf(PrivyServerError)
    expect(privy.callsTo(REVOKE_PATH)).toHaveLength(1)
    expect(sleeps).toEqual([])
    const refused = await failure(client.documents.revoke(ref))
    expect(refused).toBeInstanceOf(PrivyUnprocessableEntityError)
    expect(refused).toMatchObject({ messages: ['document already completed'], outcome: 'not_applied' })
    await client.close()
  })
})
