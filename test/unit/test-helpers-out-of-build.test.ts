import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

// The simulator's test helpers (src/simulator/testing: PDF makers, a typed simulator client, flows)
// serve the tests only: both builds leave them out of dist/, and nothing that is built imports them,
// or the production start would fail on a missing file.

const root = path.resolve(import.meta.dirname, '../..')
const TESTING = 'src/simulator/testing'

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) return name === 'generated' ? [] : sourceFiles(full)
    return /\.(ts|mts|mjs)$/.test(name) && !name.endsWith('.d.ts') ? [full] : []
  })
}

const relative = (full: string) => path.relative(root, full).split(path.sep).join('/')

describe('simulator test helpers stay out of the production build', () => {
  it('tsconfig.build.json (npm run build) excludes them', () => {
    const config = ts.parseConfigFileTextToJson(
      'tsconfig.build.json',
      readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8'),
    ).config as { exclude?: string[] }
    expect(config.exclude).toContain(TESTING)
  })

  it('scripts/build-start.mjs (npm start) skips them', () => {
    const script = readFileSync(path.join(root, 'scripts/build-start.mjs'), 'utf8')
    expect(script).toMatch(/EXCLUDED = \[join\(SOURCE, 'simulator', 'testing'\)\]/)
  })

  it('no built file imports them', () => {
    const importers = sourceFiles(path.join(root, 'src'))
      .filter((full) => !relative(full).startsWith(`${TESTING}/`))
      .filter((full) =>
        ts
          .preProcessFile(readFileSync(full, 'utf8'), true, true)
          .importedFiles.some(({ fileName }) =>
            relative(path.resolve(path.dirname(full), fileName)).startsWith(`${TESTING}/`),
          ),
      )
      .map(relative)
    expect(importers).toEqual([])
  })
})
