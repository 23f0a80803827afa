import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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
import { type LocalS3, startLocalS3 } from '../helpers/s3.js'

// SIGNED_PDF_STORE=s3 (README "Signed PDFs"): two gateway instances on one database and one bucket of
// a local S3-compatible server. What one fetched from Privy the other streams from the bucket.

const STATUS_PATH = '/web/api/v2/doc-signing/status'

let s3: LocalS3
// Registered before the gateways: started before them, and closed after them.
beforeAll(async () => {
  s3 = await startLocalS3()
})
afterAll(async () => {
  await s3?.close()
})
const first = useGateway(() => s3.env)
const second = useGateway(
  () => s3.env,
  () => ({ database: first.database, simulator: first.simulator }),
)

describe('signed PDFs in an S3-compatible bucket', () => {
  it('are fetched by one instance, kept in the bucket and streamed by the other', async () => {
    const signer = await verifiedUser(first, 's3-alice')
    const uploaded = await upload(first, { token: signer.token }, loanAgreement(signer))
    expect((await signWithOtp(first, signer, [uploaded.id])).status).toBe(200)
    const client = await clientFor(first, { token: signer.token })
    expect((await client.documents.get(uploaded.id)).status).toBe('completed')

    const fetched = await downloadSignedPdf(first, uploaded.id, signer.token)
    expect(fetched.status).toBe(200)
    expect(fetched.bytes.subarray(0, 5).toString()).toBe('%PDF-')
    const asked = await upstreamCount(first, STATUS_PATH)

    const served = await downloadSignedPdf(second, uploaded.id, signer.token)
    expect(served.status).toBe(200)
    expect(served.headers['content-length']).toBe(String(fetched.bytes.length))
    expect(served.bytes.equals(fetched.bytes)).toBe(true)
    expect(await upstreamCount(first, STATUS_PATH)).toBe(asked)

    // Kept in the bucket, not the database.
    const rows = await first.database.prisma.signedPdf.count()
    expect(rows).toBe(0)
  })
})
