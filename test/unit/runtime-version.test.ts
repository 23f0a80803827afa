import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

// The Node.js version is named in five places: .nvmrc (what CI installs, see .ci/run), the Docker
// image, package.json's engines, @types/node and the README. They drift apart one edit at a time.
const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')
const nvmrc = read('.nvmrc').trim()
const packageJson = JSON.parse(read('package.json')) as {
  engines: { node: string }
  devDependencies: Record<string, string>
}
const major = (version: string): number => Number(version.split('.')[0])

describe('the Node.js runtime', () => {
  it('is pinned to an exact release of an LTS line (an even major, 22 or later)', () => {
    expect(nvmrc).toMatch(/^\d+\.\d+\.\d+$/)
    expect(major(nvmrc) % 2).toBe(0)
    expect(major(nvmrc)).toBeGreaterThanOrEqual(22)
  })

  it('is the one the Docker image runs', () => {
    const image = /^ARG NODE_IMAGE=node:(\S+)-bookworm-slim$/m.exec(read('Dockerfile'))?.[1]
    expect(image).toBe(nvmrc)
  })

  it('satisfies package.json engines, whose floor is itself a supported LTS', () => {
    const floor = /^>=(\d+)\.(\d+)$/.exec(packageJson.engines.node)
    expect(floor).not.toBeNull()
    const [floorMajor, floorMinor] = [Number(floor?.[1]), Number(floor?.[2])]
    expect(floorMajor).toBeGreaterThanOrEqual(22)
    const [pinMajor = 0, pinMinor = 0] = nvmrc.split('.').map(Number)
    expect(pinMajor > floorMajor || (pinMajor === floorMajor && pinMinor >= floorMinor)).toBe(true)
  })

  it('is the major the type definitions describe, and the one the README names', () => {
    expect(major(packageJson.devDependencies['@types/node'] ?? '')).toBe(major(nvmrc))
    expect(read('README.md')).toContain(`Node ${nvmrc}`)
  })
})
