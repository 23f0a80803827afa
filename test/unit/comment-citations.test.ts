import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

/**
 * Every comment in src/ that cites something points to a file in the repository (docs/README.md,
 * "Citations"): a contract section as `docs/privy-contract.md §N` with a § that file has, a flow as
 * `docs/flows.md#anchor` with an anchor that file has, a path that exists. Documents that are not in
 * the repository ("design §3", "issue 5", "(A2/A4)") are not citations a reader can follow.
 */

const ROOT = join(import.meta.dirname, '../..')
const CONTRACT = 'docs/privy-contract.md'
/** Standards cited by section; their text is public and not copied here. */
const EXTERNAL = /(?:RFC \d+|PDF 1\.7)$/
/** A § that continues a list headed by a cited document: "§5.1, §5.3", "§2.2/§2.3", "§5.3-§5.5". */
const CONTINUES_RUN = /§[\d.]*\d,?(?:,|\/|-|–| and| or| to)$/
const NOT_IN_REPOSITORY: ReadonlyArray<[RegExp, string]> = [
  [/\bdesign(?:\.md)? §\d/, 'a design document that is not in the repository'],
  [/\bissue #?\d+/i, 'an issue number (say what it means, or cite a docs/ file)'],
  [/\(A\d+(?:\/A\d+)*\)/, 'a guideline item code that is not in the repository'],
]
const MARKDOWN = /(?<![\w/.-])([\w./-]+\.md)(#[\w-]+)?/g
const REPO_PATH =
  /(?<![\w/.-])((?:src|test|docs|bench|scripts|prisma|openapi|clients)\/[\w./-]*\w\.[a-z]+)\b/g

interface CitationProblem {
  file: string
  line: number
  problem: string
}

function sectionsOf(markdown: string): Set<string> {
  const sections = new Set<string>()
  for (const match of markdown.matchAll(/^#{2,4} (\d+(?:\.\d+)*)\.? /gm)) sections.add(match[1] ?? '')
  return sections
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>()
  for (const match of markdown.matchAll(/^#{1,6} (.+)$/gm)) {
    const heading = (match[1] ?? '').trim().toLowerCase()
    anchors.add(heading.replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'))
  }
  return anchors
}

/** Every comment of a TypeScript source, found by the compiler (so strings and regexes never count). */
function commentsOf(text: string, name: string): Array<{ pos: number; body: string }> {
  const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, false)
  const found = new Map<number, string>()
  const add = (ranges: ts.CommentRange[] | undefined) => {
    for (const range of ranges ?? []) found.set(range.pos, text.slice(range.pos, range.end))
  }
  const visit = (node: ts.Node) => {
    add(ts.getLeadingCommentRanges(text, node.getFullStart()))
    add(ts.getTrailingCommentRanges(text, node.getEnd()))
    ts.forEachChild(node, visit)
  }
  visit(source)
  add(ts.getLeadingCommentRanges(text, source.endOfFileToken.getFullStart()))
  return [...found.entries()].map(([pos, body]) => ({ pos, body }))
}

function citationProblems(file: string, text: string, root = ROOT): CitationProblem[] {
  const contract = readFileSync(join(root, CONTRACT), 'utf8')
  const sections = sectionsOf(contract)
  const problems: CitationProblem[] = []
  for (const { pos, body } of commentsOf(text, file)) {
    const report = (offset: number, problem: string) => {
      const line = text.slice(0, pos + offset).split('\n').length
      problems.push({ file, line, problem })
    }
    // Comment decoration ("\n * ") is not part of the sentence a citation sits in.
    const flat = body.replace(/\n\s*(?:\*(?!\/)|\/\/)?\s*/g, (gap) => ' '.padEnd(gap.length))
    let cited: string | undefined
    for (const match of flat.matchAll(/§(\d+(?:\.\d+)*)/g)) {
      const before = flat.slice(0, match.index).trimEnd()
      if (before.endsWith(CONTRACT)) cited = CONTRACT
      else if (EXTERNAL.test(before)) cited = 'external'
      else if (!(cited && CONTINUES_RUN.test(before))) {
        report(match.index, `§${match[1]} names no document: write ${CONTRACT} §${match[1]}`)
        continue
      }
      if (cited === CONTRACT && !sections.has(match[1] ?? '')) {
        report(match.index, `${CONTRACT} has no §${match[1]}`)
      }
    }
    for (const [pattern, what] of NOT_IN_REPOSITORY) {
      const match = pattern.exec(flat)
      if (match) report(match.index, `cites ${what}: "${match[0]}"`)
    }
    for (const match of flat.matchAll(MARKDOWN)) {
      const [, path = '', anchor] = match
      if (!existsSync(join(root, path)) || (!path.includes('/') && path !== 'README.md')) {
        report(match.index, `${path} is not a file of the repository (write its path from the root)`)
      } else if (anchor && !anchorsOf(readFileSync(join(root, path), 'utf8')).has(anchor.slice(1))) {
        report(match.index, `${path} has no heading ${anchor}`)
      }
    }
    for (const match of flat.matchAll(REPO_PATH)) {
      const path = match[1] ?? ''
      if (!path.endsWith('.md') && !existsSync(join(root, path)))
        report(match.index, `${path} does not exist`)
    }
  }
  return problems
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name)
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

describe('citations in src/ comments', () => {
  it('each points to a file of the repository, and each contract § exists there', () => {
    const problems = sourceFiles(join(ROOT, 'src')).flatMap((path) =>
      citationProblems(relative(ROOT, path), readFileSync(path, 'utf8')),
    )
    expect(problems.map(({ file, line, problem }) => `${file}:${line}: ${problem}`)).toEqual([])
  })

  it('finds what a reader could not follow', () => {
    const text = [
      '/** Upload (§5.1), see contract §5.1 and design §3 (A2/A4); issue 5. */',
      '// docs/privy-contract.md §9.9 and flows.md, docs/flows.md#no-such-flow, src/nowhere.ts',
      "const s = '§5.1 in a string is not a comment'",
      '/** Fine: docs/privy-contract.md §5.1, §5.3 and §2.3; RFC 9110 §10.2.3; docs/flows.md#idempotency. */',
    ].join('\n')
    const problems = citationProblems('example.ts', text).map(({ line, problem }) => `${line}: ${problem}`)
    expect(problems).toEqual([
      `1: §5.1 names no document: write ${CONTRACT} §5.1`,
      `1: §5.1 names no document: write ${CONTRACT} §5.1`,
      `1: §3 names no document: write ${CONTRACT} §3`,
      '1: cites a design document that is not in the repository: "design §3"',
      '1: cites an issue number (say what it means, or cite a docs/ file): "issue 5"',
      '1: cites a guideline item code that is not in the repository: "(A2/A4)"',
      `2: ${CONTRACT} has no §9.9`,
      '2: flows.md is not a file of the repository (write its path from the root)',
      '2: docs/flows.md has no heading #no-such-flow',
      '2: src/nowhere.ts does not exist',
    ])
  })
})
