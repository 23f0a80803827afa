import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

/** README's Layout block is a map of the tree: it must name what exists, and only that. */

const ROOT = join(import.meta.dirname, '../..')
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const layout = /^## Layout\n[\s\S]*?```\n([\s\S]*?)```/m.exec(readme)?.[1] ?? ''
/** Every path a line of the block names: the first column, and extra paths in the first column. */
const named = layout
  .split('\n')
  .flatMap((line) => line.split(/\s{2,}/).filter((cell) => /^[\w.-]+\/[\w./-]*$/.test(cell)))

function entries(directory: string): string[] {
  return readdirSync(join(ROOT, directory), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() || (directory === 'src' && entry.name.endsWith('.ts')))
    .map((entry) => `${directory}/${entry.name}${entry.isDirectory() ? '/' : ''}`)
}

describe("README's Layout", () => {
  it('names only paths that exist (generated ones aside)', () => {
    expect(named.length).toBeGreaterThan(10)
    const missing = named.filter((path) => path !== 'src/generated/' && !existsSync(join(ROOT, path)))
    expect(missing).toEqual([])
  })

  it('names every directory and file directly under src/, and every module of src/modules/', () => {
    const tree = [...entries('src'), ...entries('src/modules').filter((path) => path.endsWith('/'))]
    expect(tree.filter((path) => path !== 'src/modules/' && !named.includes(path))).toEqual([])
  })
})
