/**
 * The document-signing flow (flows.md §5): upload a PDF with its signer and where they sign, request
 * the signing OTP, validate the code, wait for `completed`, download the signed PDF. The signer is the
 * person the landing-page example registers and verifies.
 *
 *   npm start                                   # prints a user token
 *   GATEWAY_TOKEN=<token> npm run example:document-signing -w @privy-gateway/client
 */
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createGatewayClient,
  type Document,
  type GatewayClient,
  GatewayError,
  type Registration,
} from '@privy-gateway/client'
import { PDFDocument, StandardFonts } from 'pdf-lib'
import { type FlowOptions, landingPageFlow } from './landing-page.js'
import { isMain, settingsFromEnvironment, simulator, waitFor } from './support.js'

const FINAL: ReadonlyArray<Document['status']> = ['completed', 'revoked', 'expired', 'error']

export async function documentSigningFlow(
  client: GatewayClient,
  signer: Registration,
  options: FlowOptions & { simulatorUrl: string; pdf?: Uint8Array },
): Promise<{ document: Document; signedPdf: Uint8Array }> {
  const log = options.log ?? console.log
  const uploaded = await client.documents.upload({
    file: options.pdf ?? (await agreementPdf()),
    metadata: {
      title: 'Perjanjian Kerja Sama',
      sign_process: 'serial',
      // Placements are measured from the top-left corner of the page as a viewer shows it.
      signers: [
        {
          registration_id: signer.id,
          placements: [{ page: 1, x: 50, y: 650, width: 150, height: 75, unit: 'pt' }],
        },
      ],
    },
  })
  log(
    `uploaded ${uploaded.id}: ${uploaded.status}, ${uploaded.page_count} page(s), sha256 ${uploaded.sha256}`,
  )

  // The signer asks for an OTP; Privy sends it to their phone (the simulator shows it at /__sim/otps).
  const otp = await client.otp.request({
    otp_type: 'document_signing',
    otp_channel: 'sms',
    document_ids: [uploaded.id],
  })
  const code = await simulator(options.simulatorUrl).otpCode({ signer_privy_id: signer.privy_id ?? '' })
  const validated = await client.otp.validate(otp.id, code)
  log(`signing OTP ${validated.id}: ${validated.status}`)

  const document = await waitFor(
    () => client.documents.get(uploaded.id, { refresh: true }),
    (current) => FINAL.includes(current.status),
  )
  if (document.status !== 'completed') throw new Error(`the document ended ${document.status}`)
  const signedPdf = await client.documents.signedPdf(document.id)
  log(`document ${document.id}: ${document.status}, signed PDF of ${signedPdf.byteLength} bytes`)
  return { document, signedPdf }
}

/** A one-page A4 agreement; any PDF of your own will do. */
export async function agreementPdf(): Promise<Uint8Array> {
  const pdf = await PDFDocument.create()
  const page = pdf.addPage([595.28, 841.89])
  const font = await pdf.embedFont(StandardFonts.Helvetica)
  page.drawText('Perjanjian Kerja Sama', { x: 50, y: 780, size: 18, font })
  page.drawText(`Dibuat ${new Date().toISOString()}`, { x: 50, y: 750, size: 11, font })
  return pdf.save()
}

if (isMain(import.meta.url)) {
  const { baseUrl, token, simulatorUrl } = settingsFromEnvironment()
  const client = createGatewayClient({ baseUrl, token })
  try {
    const verified = await landingPageFlow(client, { simulatorUrl })
    const { document, signedPdf } = await documentSigningFlow(client, verified.registration, {
      simulatorUrl: verified.simulatorUrl,
    })
    const path = join(tmpdir(), `signed-${document.id}.pdf`)
    await writeFile(path, signedPdf)
    console.log(`signed PDF written to ${path}`)
  } catch (error) {
    if (error instanceof GatewayError)
      console.error(`${error.code} (request ${error.requestId}): ${error.detail}`)
    else console.error(error)
    process.exitCode = 1
  }
}
