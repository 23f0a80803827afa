import type { SimDocument, SimSigner } from './document-types.js'

/** The answer data of docs/privy-contract.md §5.1, §5.3 and §5.4, also the data of docs/privy-contract.md §6 `document` callbacks. */

/** docs/privy-contract.md §5.1 answer data, taken right after the upload, before any e-Meterai step moves the document on. */
export function uploadData(document: SimDocument) {
  return {
    reference_number: document.referenceNumber,
    channel_id: document.channelId,
    document_token: document.documentToken,
    status: document.status,
    signing_url: document.signingUrl,
  }
}

function signerData(signer: SimSigner) {
  return {
    privy_id: signer.privyId,
    signer_type: signer.signerType,
    status: signer.status,
    ...(signer.signedAt === undefined ? {} : { signed_at: signer.signedAt.toISOString() }),
  }
}

/**
 * docs/privy-contract.md §5.3 answer data. `emeterai` only when the process stamps one; `signed_document` only when
 * completed and asked for: docs/privy-contract.md §6 callbacks carry the same data without it.
 */
export function documentStatusData(document: SimDocument, options: { withSignedDocument: boolean }) {
  const { emeterai, signedPdf } = document
  return {
    reference_number: document.referenceNumber,
    channel_id: document.channelId,
    document_token: document.documentToken,
    status: document.status,
    signing_url: document.signingUrl,
    signers: document.signers.map(signerData),
    ...(emeterai === undefined
      ? {}
      : {
          emeterai: {
            status: emeterai.status,
            ...(emeterai.serialNumber === undefined ? {} : { serial_number: emeterai.serialNumber }),
          },
        }),
    ...(options.withSignedDocument && document.status === 'completed' && signedPdf !== undefined
      ? { signed_document: `data:application/pdf;base64,${signedPdf.toString('base64')}` }
      : {}),
  }
}

/** docs/privy-contract.md §5.4 answer data. */
export function documentHistoryData(document: SimDocument) {
  return {
    document: {
      name: document.documentName,
      status: document.status,
      document_token: document.documentToken,
      reference_number: document.referenceNumber,
      signers: document.signers.map((signer) => ({
        privy_id: signer.privyId,
        signer_type: signer.signerType,
        status: signer.status,
        histories: signer.histories.map((entry) => ({
          description: entry.description,
          created_at: entry.createdAt.toISOString(),
        })),
      })),
    },
  }
}
