import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import {
  type FieldPath,
  type Json,
  operationsOf,
  pathText,
  type StringNode,
  type Walked,
  walkSchema,
} from '../helpers/openapi-strings.js'

/**
 * The text rule (src/lib/text.ts) cannot be forgotten by the next route: every string a caller sends,
 * as the committed OpenAPI document describes it (openapi-drift.test.ts keeps it equal to the code),
 * is an enum, a file, or has a `pattern` that refuses every control character and unpaired surrogate.
 * A JSON text (`contentMediaType: application/json`) is judged by the strings of its `contentSchema`.
 */

/** Privy's callback is read as raw bytes (its Signature covers them); the callback service checks them. */
const RAW_ROUTES = new Set(['POST /v1/privy/callbacks'])

/** What PostgreSQL refuses or no stored text should hold; tab, CR and LF are for multi-line fields. */
const FORBIDDEN = [
  '\u0000',
  '\u0001',
  '\u0008',
  '\u000b',
  '\u000c',
  '\u001b',
  '\u001f',
  '\u007f',
  '\u0080',
  '\u0085',
  '\u009f',
  '\ud800',
  '\udfff',
]

const codePoint = (char: string) =>
  `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`

/** Strings that hold `char` the ways a pattern might overlook: alone, at either end, inside an example. */
function carriers(char: string, example: unknown): string[] {
  const found = [char, `a${char}`, `${char}a`, `a${char}b`, `0${char}0`, `${char}${char}`]
  if (typeof example === 'string' && example.length > 1) {
    const middle = Math.floor(example.length / 2)
    found.push(`${example.slice(0, middle)}${char}${example.slice(middle)}`, `${example}${char}`)
  }
  return found
}

function problemOf(node: StringNode): string | undefined {
  const { schema } = node
  if (schema.enum || schema.const !== undefined || schema.format === 'binary') return undefined
  if (schema.contentMediaType === 'application/json' && schema.contentSchema) return undefined
  if (typeof schema.pattern !== 'string') return 'is a string without a pattern (use text() or checkedText())'
  const pattern = new RegExp(schema.pattern, 'u')
  const accepted = FORBIDDEN.find((char) =>
    carriers(char, schema.example).some((value) => pattern.test(value)),
  )
  return accepted ? `has a pattern that accepts ${codePoint(accepted)}` : undefined
}

/** Every problem of one document, as `METHOD /path where.field: problem`. */
function problemsIn(document: Json): { problems: string[]; checked: number } {
  const problems: string[] = []
  let checked = 0
  for (const { route, operation } of operationsOf(document)) {
    if (RAW_ROUTES.has(route)) continue
    const walked: Array<[string, Walked]> = []
    for (const parameter of operation.parameters ?? []) {
      walked.push([`${parameter.in}.${parameter.name}`, walkSchema(document, parameter.schema)])
    }
    for (const [type, media] of Object.entries(
      (operation.requestBody?.content ?? {}) as Record<string, Json>,
    )) {
      walked.push([`body(${type})`, walkSchema(document, media.schema)])
    }
    for (const [where, { strings, open }] of walked) {
      const field = (path: FieldPath) => pathText([where, ...path])
      for (const path of open) problems.push(`${route} ${field(path)}: takes members no schema checks`)
      for (const node of strings) {
        checked += 1
        const problem = problemOf(node)
        if (problem) problems.push(`${route} ${field(node.path)}: ${problem}`)
      }
    }
  }
  return { problems, checked }
}

describe('every string a caller sends, in the OpenAPI document', () => {
  it('is an enum, a file, or has a pattern that refuses control characters and unpaired surrogates', async () => {
    const document = JSON.parse(
      await readFile(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'),
    )
    const { problems, checked } = problemsIn(document)
    expect(problems).toEqual([])
    // The walk reached the bodies, the document's metadata and the parameters, not just a few fields.
    expect(checked).toBeGreaterThan(60)
  })

  it('would catch a field without the rule, a loose pattern, or an open object', () => {
    const document = {
      components: { schemas: { Meta: { type: 'object', properties: { note: { type: 'string' } } } } },
      paths: {
        '/v1/things': {
          post: {
            parameters: [{ in: 'query', name: 'q', schema: { type: 'string', pattern: '^[^\\u0000]*$' } }],
            requestBody: {
              content: {
                'multipart/form-data': {
                  schema: {
                    type: 'object',
                    properties: {
                      title: { type: 'string', maxLength: 10 },
                      meta: {
                        type: 'string',
                        contentMediaType: 'application/json',
                        contentSchema: { $ref: '#/components/schemas/Meta' },
                      },
                      extra: { type: 'object', additionalProperties: {} },
                    },
                  },
                },
              },
            },
          },
        },
      },
    }
    expect(problemsIn(document).problems).toEqual([
      'POST /v1/things query.q: has a pattern that accepts U+0001',
      'POST /v1/things body(multipart/form-data).extra: takes members no schema checks',
      'POST /v1/things body(multipart/form-data).title: is a string without a pattern (use text() or checkedText())',
      'POST /v1/things body(multipart/form-data).meta.note: is a string without a pattern (use text() or checkedText())',
    ])
  })
})
