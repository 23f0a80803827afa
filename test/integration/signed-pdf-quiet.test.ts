import { spawn } from 'node:child_process'
import { request } from 'undici'
import { beforeAll, describe, expect, it } from 'vitest'
import { upload } from '../helpers/api.js'
import { a4Pdf, type SignerUser, signatureAt, signWithOtp, verifiedUser } from '../helpers/documents.js'
import { useGateway } from '../helpers/gateway.js'

// A successful download of a signed PDF is an ordinary request: its log lines are info, never warn or
// error, and never the "stream closed prematurely" that a client hanging up as the last byte arrives
// used to produce. Downloaded the ways merchants do: undici reading the whole body, fetch, curl, and a
// client that closes its connection as soon as it has the bytes.

let alice: SignerUser
let documentId: string

const gateway = useGateway()
beforeAll(async () => {
  alice = await verifiedUser(gateway, 'quiet-alice')
  const uploaded = await upload(
    gateway,
    { token: alice.token },
    { title: 'Quiet download', signers: [{ privy_id: alice.privyId, placements: [signatureAt(1, 50, 50)] }] },
    await a4Pdf(3),
  )
  documentId = uploaded.id
  expect((await signWithOtp(gateway, alice, [documentId])).status).toBe(200)
})

function curl(url: string, token: string): Promise<{ code: number | null; bytes: number }> {
  const child = spawn('curl', ['-s', '-o', '-', '-H', `authorization: Bearer ${token}`, url])
  let bytes = 0
  child.stdout.on('data', (chunk: Buffer) => {
    bytes += chunk.length
  })
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, bytes })))
}

/** pino levels: 40 warn, 50 error, 60 fatal. */
const loud = (lines: string[]) =>
  lines.filter((line) => {
    const parsed = JSON.parse(line) as { level: number; msg?: string }
    return parsed.level >= 40 || /prematurely/.test(parsed.msg ?? '')
  })

describe('downloading a signed PDF', () => {
  it('logs nothing at warn or error, however the client reads it', async () => {
    const url = `${gateway.url}/v1/documents/${documentId}/signed.pdf`
    const headers = { authorization: `Bearer ${alice.token}` }
    const before = gateway.logs.lines.length
    let size = 0
    for (let round = 0; round < 3; round++) {
      const whole = await request(url, { headers })
      expect(whole.statusCode).toBe(200)
      const bytes = Buffer.from(await whole.body.arrayBuffer())
      expect(bytes.subarray(0, 5).toString()).toBe('%PDF-')
      size = bytes.length
      const fetched = await fetch(url, { headers })
      expect(Buffer.from(await fetched.arrayBuffer()).length).toBe(size)
      expect(await curl(url, alice.token)).toEqual({ code: 0, bytes: size })
      // Reads the bytes, then drops the connection at once, without waiting for anything else.
      const hasty = await request(url, { headers, reset: true })
      expect(Buffer.from(await hasty.body.arrayBuffer()).length).toBe(size)
    }
    // The server's side of the last exchange settles after the client has its bytes.
    await new Promise((resolve) => setTimeout(resolve, 300))
    const lines = gateway.logs.lines.slice(before)
    expect(lines.some((line) => line.includes('request completed'))).toBe(true)
    expect(loud(lines)).toEqual([])
  })
})
