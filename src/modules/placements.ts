import { z } from 'zod'
import { AppError, type FieldError } from '../errors/app-error.js'
import {
  checkPlacement,
  type PdfInfo,
  type Placement,
  type PlacementKind,
  PlacementSchema,
  type PointBox,
  toPoints,
} from '../pdf/index.js'
import type { TagHit } from '../pdf-worker/jobs.js'
import type { PdfPool } from '../pdf-worker/pool.js'

// Placements as merchants write them, coordinates or text tags, checked against the PDF and resolved
// to boxes in points. Shared by documents (each upload) and templates (resolved once, at creation).

/** A tag is one line of visible characters; the longest kept short so a page's search stays cheap. */
const MAX_ANCHOR_LENGTH = 100

/**
 * A placement by text tag (README "Text tags"): the box's top-left corner is the top-left corner of each
 * place the tag is found, moved by `offset`, in points on the page as a viewer shows it. `occurrence` is
 * how many hits are allowed: `all`, or at most that many (default 1, the tag is expected once); every
 * hit gets a box. Privy never sees the tag, only the coordinates it resolves to.
 */
export const AnchorPlacementSchema = z
  .strictObject({
    anchor: z
      .string()
      .min(3, 'must be at least 3 characters')
      .max(MAX_ANCHOR_LENGTH, `must be at most ${MAX_ANCHOR_LENGTH} characters`)
      // The text rule's line (src/lib/text.ts: no control characters, no lone surrogates), and no
      // space at either end: one pattern, so OpenAPI shows the whole rule.
      .regex(
        // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
        /^[^\s\u0000-\u001f\u007f-\u009f\ud800-\udfff](?:[^\u0000-\u001f\u007f-\u009f\ud800-\udfff]*[^\s\u0000-\u001f\u007f-\u009f\ud800-\udfff])?$/u,
        'must be one line of text, without control characters or leading or trailing spaces',
      )
      .meta({ example: '{{sign:borrower}}' }),
    offset: z
      .strictObject({ x: z.number().min(-10_000).max(10_000), y: z.number().min(-10_000).max(10_000) })
      .default({ x: 0, y: 0 })
      .describe("Moves the box from the tag's top-left corner, in points (x right, y down)"),
    width: z.number().positive(),
    height: z.number().positive(),
    unit: z.literal('pt').default('pt'),
    occurrence: z
      .union([z.literal('all'), z.int().min(1).max(20)], {
        error: 'must be "all" or a whole number from 1 to 20',
      })
      .default(1)
      .describe('How many times the tag may be found (`all`: any number); a box is placed at each'),
  })
  .describe(
    'A box placed by text found in the PDF instead of coordinates: every page is searched, invisible ' +
      '(white or tiny) text included. Not found, or found more often than `occurrence` allows: 422.',
  )
  .meta({
    id: 'AnchorPlacement',
    example: {
      anchor: '{{sign:borrower}}',
      offset: { x: 0, y: -10 },
      width: 150,
      height: 75,
      unit: 'pt',
      occurrence: 1,
    },
  })
export type AnchorPlacement = z.infer<typeof AnchorPlacementSchema>

export type PlacementInput = Placement | AnchorPlacement

const CoordinatePlacementSchema = PlacementSchema.strict()
  .describe(
    'A box from the top-left corner of the page as a viewer shows it, in points (`pt`) or percent of the ' +
      'visible page (`percent`). A signature needs at least 120 × 60 pt; an e-Meterai is square, ≥ 50 pt.',
  )
  // The bottom right of an A4 page (595 × 842 pt), where a signature usually goes.
  .meta({
    id: 'CoordinatePlacement',
    example: { page: 1, x: 400, y: 700, width: 150, height: 75, unit: 'pt' },
  })

/** Either form; which one a client meant is told apart by `unionIssues` when neither fits. */
export const PlacementInputSchema = z.union([CoordinatePlacementSchema, AnchorPlacementSchema])

const isAnchor = (placement: PlacementInput): placement is AnchorPlacement => 'anchor' in placement

/** Every distinct tag named in a list of placement lists: what the PDF is searched for. */
export function anchorsOf(lists: ReadonlyArray<readonly PlacementInput[]>): string[] {
  const tags = new Set<string>()
  for (const list of lists) for (const placement of list) if (isAnchor(placement)) tags.add(placement.anchor)
  return [...tags]
}

/**
 * Checks a list of placements of either form, naming them `${path}.0`, `${path}.1`, ... Tags become one
 * coordinate placement per hit, in points, and go through the same checks as coordinates. When `errors`
 * is empty, `boxes` holds every resolved box in order (a tag's hits in page order).
 */
export function checkPlacementInputs(
  placements: readonly PlacementInput[],
  hits: readonly TagHit[],
  pdf: PdfInfo,
  path: string,
  kind: PlacementKind,
  max: number,
): { boxes: PointBox[]; errors: FieldError[] } {
  const boxes: PointBox[] = []
  const errors: FieldError[] = []
  placements.forEach((placement, index) => {
    const at = `${path}.${index}`
    const resolved = isAnchor(placement) ? resolveAnchor(placement, hits, pdf, at, errors) : [placement]
    for (const one of resolved) {
      const problems = checkPlacement(one, pdf, at, kind)
      errors.push(...problems)
      const page = pdf.pages[one.page - 1]
      if (problems.length === 0 && page) boxes.push(toPoints(one, page))
    }
  })
  if (errors.length === 0 && boxes.length > max) {
    errors.push({ path, message: `resolve to ${boxes.length} places; at most ${max} are allowed` })
  }
  return { boxes, errors }
}

function resolveAnchor(
  placement: AnchorPlacement,
  hits: readonly TagHit[],
  pdf: PdfInfo,
  path: string,
  errors: FieldError[],
): Placement[] {
  const found = hits.filter((hit) => hit.tag === placement.anchor)
  const tag = JSON.stringify(placement.anchor)
  if (found.length === 0) {
    errors.push({ path: `${path}.anchor`, message: `${tag} was not found in the document (0 times)` })
    return []
  }
  const allowed = placement.occurrence
  if (allowed !== 'all' && found.length > allowed) {
    const pages = [...new Set(found.map((hit) => hit.page))].join(', ')
    errors.push({
      path: `${path}.anchor`,
      message: `${tag} was found ${found.length} times (pages ${pages}); occurrence allows at most ${allowed}`,
    })
    return []
  }
  const resolved: Placement[] = []
  found.forEach((hit, index) => {
    const box = {
      page: hit.page,
      x: round(hit.x + placement.offset.x),
      y: round(hit.y + placement.offset.y),
      width: placement.width,
      height: placement.height,
      unit: 'pt' as const,
    }
    const page = pdf.pages[hit.page - 1]
    if (!page) return
    const off =
      box.x < 0 ||
      box.y < 0 ||
      box.x + box.width > page.width + 0.01 ||
      box.y + box.height > page.height + 0.01
    if (off) {
      const which = found.length === 1 ? '' : ` (hit ${index + 1} of ${found.length})`
      errors.push({
        path,
        message:
          `the box for ${tag}${which} falls off page ${hit.page} (${round(page.width)} × ${round(page.height)} pt): ` +
          `it spans x ${box.x} to ${round(box.x + box.width)}, y ${box.y} to ${round(box.y + box.height)} pt`,
      })
      return
    }
    resolved.push(box)
  })
  return resolved
}

/**
 * zod reports a placement that fits neither form as one "invalid input" for the union; this names the
 * problems of the form the client meant instead, the one with fewer of them (an `anchor` key counts
 * against the coordinate form, coordinates against the anchor form).
 */
export function unionIssues(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue]
  const branches = [...issue.errors].sort((a, b) => a.length - b.length)
  return (branches[0] ?? []).map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }))
}

/**
 * `value` parsed by `schema`, or 400 `VALIDATION_FAILED` naming each field wrong, under `prefix`
 * (`metadata` for a form's JSON part, none for a JSON body). A member the schema does not allow is
 * named itself, as everywhere else (src/errors/error-handler.ts); a placement that fits neither form
 * gets the problems of the form the client meant (`unionIssues`).
 */
export function parseOrRefuse<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  detail: string,
  prefix?: string,
): z.output<Schema> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  throw new AppError('VALIDATION_FAILED', {
    detail,
    errors: parsed.error.issues.flatMap(unionIssues).flatMap((issue): FieldError[] => {
      const path = [...(prefix ? [prefix] : []), ...issue.path.map(String)]
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({
          path: [...path, key].join('.'),
          message: 'is not a field of this request',
        }))
      }
      return [{ path: path.join('.') || 'body', message: issue.message }]
    }),
  })
}

/** One list of placements to resolve: where it sits in the request, what it places, how many at most. */
export interface PlacementList {
  placements: readonly PlacementInput[]
  path: string
  kind: PlacementKind
  max: number
}

/**
 * Inspects the PDF in the worker pool, searches it for the tags the lists name (only when some do),
 * and checks every list against it: the boxes per list, in points, and every error found.
 */
export async function resolvePlacementLists(
  pool: Pick<PdfPool, 'inspect' | 'inspectMoved' | 'findText'>,
  file: Buffer,
  lists: readonly PlacementList[],
  options: { move?: boolean } = {},
): Promise<{ pdf: PdfInfo; file: Buffer; boxes: PointBox[][]; errors: FieldError[] }> {
  // `move`: the caller's bytes go to the worker and come back, never copied (an upload's memory,
  // README "Benchmark"); the caller must use the answer's `file` from then on, its own is emptied.
  const inspected = options.move
    ? await pool.inspectMoved(file)
    : { info: await pool.inspect(file), bytes: file }
  const pdf = inspected.info
  // Tags are searched for only when named, after inspect accepted the file (README "Text tags").
  const tags = anchorsOf(lists.map((list) => list.placements))
  const hits = tags.length > 0 ? await pool.findText(inspected.bytes, tags) : []
  const checked = lists.map((list) =>
    checkPlacementInputs(list.placements, hits, pdf, list.path, list.kind, list.max),
  )
  return {
    pdf,
    file: inspected.bytes,
    boxes: checked.map((one) => one.boxes),
    errors: checked.flatMap((one) => one.errors),
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100
}
