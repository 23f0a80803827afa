import { beforeAll, describe, expect, it } from 'vitest'
import { getDocument } from '../helpers/api.js'
import {
  A4_PAGE,
  distinctPdf,
  documentCast,
  downloadSignedPdf,
  nothingStoredOrSent,
  type SignerUser,
  signWithOtp,
  simDocumentOf,
  uploadForm,
} from '../helpers/documents.js'
import { useGateway } from '../helpers/gateway.js'
import { markBox, pdfWithTags, taggedPdf } from '../helpers/tagged-pdfs.js'

/**
 * Text tags (README "Text tags"): placements that name text in the PDF instead of coordinates. The
 * signed PDF is rendered (pdftoppm) to show each mark where its tag was drawn, not merely asserted.
 */

let officer: string
let alice: SignerUser

const gateway = useGateway()
beforeAll(async () => {
  ;({ officer, alice } = await documentCast(gateway, 'tags', ['alice']))
})

const expectNothingSent = nothingStoredOrSent(gateway)

const tagged = (anchor: string, extra: Record<string, unknown> = {}) => ({
  anchor,
  width: 150,
  height: 75,
  unit: 'pt',
  ...extra,
})

async function post(pdf: Buffer, placements: unknown[]) {
  return gateway.call('POST', '/v1/documents', {
    token: officer,
    form: uploadForm(await distinctPdf(pdf), {
      title: 'Tagged agreement',
      signers: [{ privy_id: alice.privyId, placements }],
    }),
  })
}

describe('a tagged PDF, end to end', () => {
  it('puts each mark on its tag: fonts, two operators, white 1 pt text, /Rotate 90 and 180, a CropBox', async () => {
    const { pdf, drawn } = await taggedPdf()
    // The borrower's box sits 10 pt above the tag; the others start on the tag itself.
    const offsets: Record<string, { x: number; y: number }> = { '{{sign:borrower}}': { x: 0, y: -10 } }
    const placements = drawn.map((tag) =>
      tagged(tag.tag, offsets[tag.tag] ? { offset: offsets[tag.tag] } : {}),
    )
    const response = await post(pdf, placements)
    expect(response.status, response.text).toBe(201)

    const expected = drawn.map((tag) => ({
      page: tag.page,
      x: tag.x + (offsets[tag.tag]?.x ?? 0),
      y: tag.y + (offsets[tag.tag]?.y ?? 0),
    }))
    // The response shows the resolved boxes; Privy was sent the same coordinates, never a tag.
    const shown = response.json.signers[0].placements
    expect(shown).toHaveLength(drawn.length)
    shown.forEach((box: { page: number; x: number; y: number; width: number; height: number }, i: number) => {
      expect(box.page).toBe(expected[i]?.page)
      expect(Math.abs(box.x - (expected[i]?.x ?? 0)), `x of ${drawn[i]?.tag}`).toBeLessThanOrEqual(2)
      expect(Math.abs(box.y - (expected[i]?.y ?? 0)), `y of ${drawn[i]?.tag}`).toBeLessThanOrEqual(2)
      expect([box.width, box.height]).toEqual([120, 60])
    })
    const upstream = await simDocumentOf(gateway, response.json.reference_number)
    expect(
      upstream.signers[0].positions.map((p: { page: number; x: number; y: number }) => [p.page, p.x, p.y]),
    ).toEqual(shown.map((box: { page: number; x: number; y: number }) => [box.page, box.x, box.y]))
    expect(JSON.stringify(upstream)).not.toContain('{{sign:')

    expect((await signWithOtp(gateway, alice, [response.json.id])).status).toBe(200)
    const signed = await downloadSignedPdf(gateway, response.json.id, officer)
    expect(signed.status).toBe(200)
    for (const [i, spot] of expected.entries()) {
      const window = { x: spot.x - 15, y: spot.y - 15, width: 150, height: 90 }
      const mark = await markBox(signed.bytes, spot.page, window)
      expect(mark, `a mark near ${drawn[i]?.tag}`).toBeDefined()
      expect(Math.abs((mark?.x ?? 0) - spot.x), `mark x of ${drawn[i]?.tag}`).toBeLessThanOrEqual(2)
      expect(Math.abs((mark?.y ?? 0) - spot.y), `mark y of ${drawn[i]?.tag}`).toBeLessThanOrEqual(2)
      expect(Math.abs((mark?.width ?? 0) - 120)).toBeLessThanOrEqual(2)
      expect(Math.abs((mark?.height ?? 0) - 60)).toBeLessThanOrEqual(2)
    }
  })

  it('places a box at every hit with occurrence "all", and reads back the same places', async () => {
    const pdf = await pdfWithTags('{{sign:each}}', [
      [60, 700],
      [300, 400],
    ])
    const response = await post(pdf, [tagged('{{sign:each}}', { occurrence: 'all' })])
    expect(response.status, response.text).toBe(201)
    const spots = [
      { page: 1, x: 60, y: 129.89, width: 120, height: 60 },
      { page: 1, x: 300, y: 429.89, width: 120, height: 60 },
    ]
    expect(response.json.signers[0].placements).toEqual(spots)
    const read = await getDocument(gateway, { token: officer }, response.json.id)
    expect(read.signers[0]?.placements).toEqual(spots)
  })

  it('places an e-Meterai stamp by its tag, square, and shows it', async () => {
    const response = await gateway.call('POST', '/v1/documents', {
      token: officer,
      form: uploadForm(await distinctPdf(await pdfWithTags('{{meterai}}', [[400, 300]])), {
        title: 'Stamped by tag',
        e_meterai: {
          category: 'surat_perjanjian',
          placements: [{ anchor: '{{meterai}}', width: 80, height: 80 }],
        },
      }),
    })
    expect(response.status, response.text).toBe(201)
    const stamp = { page: 1, x: 400, y: 529.89, width: 80, height: 80 }
    expect(response.json.e_meterai.placements).toEqual([stamp])
    const upstream = await simDocumentOf(gateway, response.json.reference_number)
    expect(JSON.stringify(upstream)).not.toContain('{{meterai}}')
  })
})

describe('tags that cannot be placed', () => {
  it('names a tag that is not in the PDF, with its count', async () => {
    const response = await post(await pdfWithTags('{{sign:a}}', [[60, 700]]), [tagged('{{sign:nobody}}')])
    expect(response.status, response.text).toBe(422)
    expect(response.json.errors).toEqual([
      {
        path: 'metadata.signers.0.placements.0.anchor',
        message: '"{{sign:nobody}}" was not found in the document (0 times)',
      },
    ])
    await expectNothingSent()
  })

  it('names a tag found more often than occurrence allows, with both counts', async () => {
    const pdf = await pdfWithTags('{{sign:twice}}', [
      [60, 700],
      [60, 300],
    ])
    for (const [occurrence, allowed] of [
      [undefined, 1],
      [1, 1],
    ] as const) {
      const extra = occurrence === undefined ? {} : { occurrence }
      const response = await post(pdf, [tagged('{{sign:twice}}', extra)])
      expect(response.status, response.text).toBe(422)
      expect(response.json.errors[0]).toEqual({
        path: 'metadata.signers.0.placements.0.anchor',
        message: `"{{sign:twice}}" was found 2 times (pages 1); occurrence allows at most ${allowed}`,
      })
    }
    const allowed = await post(pdf, [tagged('{{sign:twice}}', { occurrence: 2 })])
    expect(allowed.status, allowed.text).toBe(201)
  })

  it('names the page a box falls off', async () => {
    // The tag sits 40 pt from the bottom: a 75 pt box starting on it ends below the page.
    const response = await post(await pdfWithTags('{{sign:low}}', [[60, 40]]), [tagged('{{sign:low}}')])
    expect(response.status, response.text).toBe(422)
    expect(response.json.errors[0].path).toBe('metadata.signers.0.placements.0')
    expect(response.json.errors[0].message).toMatch(/^the box for "\{\{sign:low\}\}" falls off page 1 \(/)
    const left = await post(await pdfWithTags('{{sign:low}}', [[60, 400]]), [
      tagged('{{sign:low}}', { offset: { x: -100, y: 0 } }),
    ])
    expect(left.json.errors[0].message).toMatch(/falls off page 1 .*it spans x -40 to 110/)
    await expectNothingSent()
  })

  it('refuses a tag that resolves to more boxes than a signer may have', async () => {
    const spots = Array.from({ length: 21 }, (_, i): [number, number] => [60, 800 - i * 30])
    const response = await post(await pdfWithTags('{{sign:many}}', spots), [
      tagged('{{sign:many}}', { occurrence: 'all' }),
    ])
    expect(response.status, response.text).toBe(422)
    expect(response.json.errors).toEqual([
      { path: 'metadata.signers.0.placements', message: 'resolve to 21 places; at most 20 are allowed' },
    ])
    await expectNothingSent()
  })

  it('refuses malformed anchors as 400 on the field', async () => {
    const pdf = await pdfWithTags('{{sign:a}}', [[60, 700]])
    const cases: Array<[unknown, string]> = [
      [tagged(''), 'metadata.signers.0.placements.0.anchor'],
      [tagged(' {{x}}'), 'metadata.signers.0.placements.0.anchor'],
      [tagged('{{a\nb}}'), 'metadata.signers.0.placements.0.anchor'],
      [tagged('x'.repeat(101)), 'metadata.signers.0.placements.0.anchor'],
      [tagged('{{sign:a}}', { occurrence: 0 }), 'metadata.signers.0.placements.0.occurrence'],
      [tagged('{{sign:a}}', { unit: 'percent' }), 'metadata.signers.0.placements.0.unit'],
      [tagged('{{sign:a}}', { offset: { x: 'left' } }), 'metadata.signers.0.placements.0.offset.x'],
      [{ ...tagged('{{sign:a}}'), page: 1 }, 'metadata.signers.0.placements.0.page'],
    ]
    for (const [placement, path] of cases) {
      const response = await post(pdf, [placement])
      expect(response.status, response.text).toBe(400)
      expect(response.json.code).toBe('VALIDATION_FAILED')
      expect(
        response.json.errors.map((error: { path: string }) => error.path),
        JSON.stringify(placement),
      ).toContain(path)
    }
    await expectNothingSent()
  })

  it('keeps coordinate placements as they were, beside tags', async () => {
    const pdf = await pdfWithTags('{{sign:a}}', [[60, 700]])
    const response = await post(pdf, [
      { page: 1, x: 300, y: 600, width: 150, height: 75, unit: 'pt' },
      tagged('{{sign:a}}'),
    ])
    expect(response.status, response.text).toBe(201)
    expect(response.json.signers[0].placements).toEqual([
      { page: 1, x: 300, y: 600, width: 120, height: 60 },
      { page: 1, x: 60, y: A4_PAGE.height - 712, width: 120, height: 60 },
    ])
  })
})
