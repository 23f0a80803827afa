import { describe, expect, it } from 'vitest'
import { upload } from '../helpers/api.js'
import { clientFor } from '../helpers/client.js'
import {
  downloadSignedPdf,
  loanAgreement,
  signWithOtp,
  upstreamCount,
  verifiedUser,
} from '../helpers/documents.js'
import { useGateway } from '../helpers/gateway.js'

// Two gateway instances behind one load balancer: same database, same Privy, nothing else shared
// (no directory, no memory). A signed PDF fetched from Privy by one is served by the other from the
// store they share (README "Signed PDFs"), without asking Privy again. The default store: PostgreSQL.

const STATUS_PATH = '/web/api/v2/doc-signing/status'

const first = useGateway()
const second = useGateway({}, () => ({ database: first.database, simulator: first.simulator }))

async function completedDocument(sub: string): Promise<{ id: string; token: string }> {
  const signer = await verifiedUser(first, sub)
  const uploaded = await upload(first, { token: signer.token }, loanAgreement(signer))
  const client = await clientFor(first, { token: signer.token })
  expect((await signWithOtp(first, signer, [uploaded.id])).status).toBe(200)
  expect((await client.documents.get(uploaded.id)).status).toBe('completed')
  return { id: uploaded.id, token: signer.token }
}

describe('a signed PDF with two gateway instances on one database', () => {
  it('is fetched from Privy once by one instance and served by the other from the database', async () => {
    const { id, token } = await completedDocument('many-alice')

    const fetched = await downloadSignedPdf(first, id, token)
    expect(fetched.status).toBe(200)
    expect(fetched.bytes.subarray(0, 5).toString()).toBe('%PDF-')
    const asked = await upstreamCount(first, STATUS_PATH)

    const served = await downloadSignedPdf(second, id, token)
    expect(served.status).toBe(200)
    expect(served.headers['content-type']).toBe('application/pdf')
    expect(served.headers['content-length']).toBe(String(fetched.bytes.length))
    expect(served.bytes.equals(fetched.bytes)).toBe(true)
    // Served from the shared store: Privy was not asked again.
    expect(await upstreamCount(first, STATUS_PATH)).toBe(asked)
  })

  it('is the same whichever instance fetched it first', async () => {
    const { id, token } = await completedDocument('many-bob')
    const fromSecond = await downloadSignedPdf(second, id, token)
    expect(fromSecond.status).toBe(200)
    const asked = await upstreamCount(first, STATUS_PATH)
    const fromFirst = await downloadSignedPdf(first, id, token)
    expect(fromFirst.bytes.equals(fromSecond.bytes)).toBe(true)
    expect(await upstreamCount(first, STATUS_PATH)).toBe(asked)
  })
})
