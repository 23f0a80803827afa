import { beforeAll, describe, expect, it } from 'vitest'
import { makePdf } from '../../src/simulator/testing/pdfs.js'
import {
  A4_PAGE,
  a4Pdf,
  distinctPdf,
  documentCast,
  nothingStoredOrSent,
  type SignerUser,
  simDocumentOf,
  stampAt,
  uploadForm,
  verifiedUser,
} from '../helpers/documents.js'
import { type CallResult, useGateway } from '../helpers/gateway.js'

/**
 * Where signatures and stamps land: units, inherited and rotated page boxes, and every way a placement
 * can miss its page. A4 is 595.28 × 841.89 pt; US Letter, the size a careless reader assumes, is 612 × 792.
 */

let officer: string
let alice: SignerUser

const gateway = useGateway()
beforeAll(async () => {
  ;({ officer, alice } = await documentCast(gateway, 'placement', ['alice']))
})

const expectNothingSent = nothingStoredOrSent(gateway)

type Placement = { page: number; x: number; y: number; width: number; height: number; unit: string }

const box = (page: number, x: number, y: number, width = 120, height = 60): Placement => ({
  page,
  x,
  y,
  width,
  height,
  unit: 'pt',
})

const percent = (page: number, x: number, y: number, width: number, height: number): Placement => ({
  page,
  x,
  y,
  width,
  height,
  unit: 'percent',
})

async function post(pdf: Buffer | Uint8Array, metadata: Record<string, unknown>): Promise<CallResult> {
  return gateway.call('POST', '/v1/documents', {
    token: officer,
    // Several tests send one fixture with the same placement: each upload is its own document.
    form: uploadForm(await distinctPdf(pdf), metadata),
  })
}

function signedBy(placements: Placement[], extra: Record<string, unknown> = {}) {
  return {
    title: 'Placement check',
    signers: [{ privy_id: alice.privyId, placements }],
    ...extra,
  }
}

/** Accepted, and the positions the simulator received for the first signer. */
async function acceptedPositions(pdf: Buffer | Uint8Array, placements: Placement[]) {
  const response = await post(pdf, signedBy(placements))
  expect(response.status, response.text).toBe(201)
  const upstream = await simDocumentOf(gateway, response.json.reference_number)
  return upstream.signers[0].positions as Array<{ page: number; x: number; y: number }>
}

async function expectRefused(response: CallResult, statuses: number[], path: string) {
  expect(statuses, response.text).toContain(response.status)
  expect(response.headers['content-type']).toContain('application/problem+json')
  const paths = (response.json.errors ?? []).map((error: { path: string }) => error.path)
  expect(paths, response.text).toContain(path)
  await expectNothingSent()
}

describe('units: pt and percent reach Privy as the same points', () => {
  it('on an upright A4 page and on a rotated one, percent is of the page as it is shown', async () => {
    const pdf = await makePdf({ pages: [{ ...A4_PAGE }, { ...A4_PAGE, rotate: 90 }] })
    // Page 1 shows 595.28 × 841.89: 25% across is 148.82 pt, 50% down is 420.945 pt.
    // Page 2 shows 841.89 × 595.28: 50% across is 420.945 pt, 20% down is 119.056 pt.
    const inPoints = await acceptedPositions(pdf, [
      box(1, 148.82, 420.945, 148.82, 84.19),
      box(2, 420.945, 119.056, 210.47, 71.43),
    ])
    const inPercent = await acceptedPositions(pdf, [percent(1, 25, 50, 25, 10), percent(2, 50, 20, 25, 12)])

    expect(inPercent.map(({ page, x, y }) => ({ page, x, y }))).toEqual(
      inPoints.map(({ page, x, y }) => ({ page, x, y })),
    )
    expect(inPoints[0]?.page).toBe(1)
    expect(inPoints[0]?.x).toBeCloseTo(148.82, 2)
    expect(inPoints[0]?.y).toBeCloseTo(420.945, 1)
    expect(inPoints[1]?.page).toBe(2)
    // Were percent taken of the unrotated page, x would be 297.64 and y 168.38.
    expect(inPercent[1]?.x).toBeCloseTo(420.945, 1)
    expect(inPercent[1]?.y).toBeCloseTo(119.06, 1)
  })
})

describe('an A4 page whose MediaBox is inherited from /Pages', () => {
  const inheritedA4 = () => makePdf({ pages: [{ ...A4_PAGE }, { ...A4_PAGE }], inheritMediaBox: true })

  it('is really built without a MediaBox on its pages', async () => {
    const text = Buffer.from(await inheritedA4()).toString('latin1')
    expect(text.match(/\/MediaBox/g)).toHaveLength(1)
  })

  it('takes a box that fits A4 but not Letter (it ends at y = 820 pt, Letter is 792 tall)', async () => {
    const positions = await acceptedPositions(await inheritedA4(), [box(2, 50, 760)])
    expect(positions).toEqual([expect.objectContaining({ page: 2, x: 50, y: 760 })])
  })

  it('refuses a box that fits Letter but not A4 (it ends at x = 600 pt, A4 is 595.28 wide)', async () => {
    const response = await post(await inheritedA4(), signedBy([box(1, 480, 50)]))
    await expectRefused(response, [422], 'metadata.signers.0.placements.0')
    expect(response.json.detail).toBeTruthy()
    expect(JSON.stringify(response.json.errors)).toContain('595.28')
  })
})

describe('a page with /Rotate 90 (A4 shown as 841.89 × 595.28)', () => {
  const rotated = () => makePdf({ pages: [{ ...A4_PAGE, rotate: 90 }] })

  it('takes a box that fits only the turned page', async () => {
    const positions = await acceptedPositions(await rotated(), [box(1, 700, 500)])
    expect(positions).toEqual([expect.objectContaining({ page: 1, x: 700, y: 500 })])
  })

  it('refuses a box that fits only the unturned page', async () => {
    await expectRefused(
      await post(await rotated(), signedBy([box(1, 50, 700)])),
      [422],
      'metadata.signers.0.placements.0',
    )
  })
})

describe('placements that miss their page', () => {
  it('a box off the page: 422 naming the placement', async () => {
    const response = await post(await a4Pdf(), signedBy([box(1, 500, 800, 150, 75)]))
    await expectRefused(response, [422], 'metadata.signers.0.placements.0')
  })

  it('a box off the page in percent: 422 naming the placement', async () => {
    const response = await post(await a4Pdf(), signedBy([percent(1, 90, 10, 20, 10)]))
    await expectRefused(response, [422], 'metadata.signers.0.placements.0')
  })

  it('page 0: refused naming the page', async () => {
    const response = await post(await a4Pdf(2), signedBy([box(0, 50, 50)]))
    await expectRefused(response, [400, 422], 'metadata.signers.0.placements.0.page')
  })

  it('page n+1 of a signature: 422 naming the page', async () => {
    const response = await post(await a4Pdf(2), signedBy([box(1, 50, 50), box(3, 50, 50)]))
    await expectRefused(response, [422], 'metadata.signers.0.placements.1.page')
  })

  it('page n+1 of an e-Meterai stamp: 422 naming the page', async () => {
    const response = await post(
      await a4Pdf(2),
      signedBy([box(1, 50, 50)], {
        e_meterai: { category: 'surat_perjanjian', placements: [stampAt(3, 400, 700)] },
      }),
    )
    await expectRefused(response, [422], 'metadata.e_meterai.placements.0.page')
  })

  it('every problem at once: a second signer on a missing page does not hide the first one off the page', async () => {
    const bob = await verifiedUser(gateway, 'placement-bob')
    const response = await post(await a4Pdf(), {
      title: 'Two problems',
      signers: [
        { privy_id: alice.privyId, placements: [box(1, 500, 50)] },
        { privy_id: bob.privyId, placements: [box(2, 50, 50)] },
      ],
    })
    await expectRefused(response, [422], 'metadata.signers.0.placements.0')
    const paths = response.json.errors.map((error: { path: string }) => error.path)
    expect(paths).toContain('metadata.signers.1.placements.0.page')
  })
})

describe('box sizes and e-Meterai rules', () => {
  it('a signature box smaller than 120 × 60 pt: 422', async () => {
    const response = await post(await a4Pdf(), signedBy([box(1, 50, 50, 100, 50)]))
    await expectRefused(response, [422], 'metadata.signers.0.placements.0')
    expect(JSON.stringify(response.json.errors)).toContain('120')
  })

  it('a signature box of exactly 120 × 60 pt is enough', async () => {
    expect(await acceptedPositions(await a4Pdf(), [box(1, 50, 50, 120, 60)])).toHaveLength(1)
  })

  it('an e-Meterai placement that is not square: 422', async () => {
    const response = await post(await a4Pdf(), {
      title: 'Stamp only',
      e_meterai: { category: 'surat_perjanjian', placements: [box(1, 400, 700, 80, 60)] },
    })
    await expectRefused(response, [422], 'metadata.e_meterai.placements.0')
  })

  it('an unknown e-Meterai category: 400', async () => {
    const response = await post(await a4Pdf(), {
      title: 'Stamp only',
      e_meterai: { category: 'kwitansi', placements: [stampAt(1, 400, 700)] },
    })
    await expectRefused(response, [400], 'metadata.e_meterai.category')
  })

  it('a square stamp reaches Privy with its dimension', async () => {
    const response = await post(await a4Pdf(), {
      title: 'Stamp only',
      e_meterai: { category: 'dokumen_lain_lain', placements: [stampAt(1, 400, 700, 90)] },
    })
    expect(response.status, response.text).toBe(201)
    const upstream = await simDocumentOf(gateway, response.json.reference_number)
    expect(upstream.emeterai.positions).toEqual([
      expect.objectContaining({ page: 1, x: 400, y: 700, dimension: 90 }),
    ])
  })
})
