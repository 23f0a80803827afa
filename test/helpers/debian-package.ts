import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * Installs a Debian package a test needs when its program is missing (a fresh machine has neither
 * chromium nor poppler-utils), so `npm ci && npm test` passes there as .ci/run does. Needs root and
 * Debian's package lists, as the machines this project runs on have; otherwise says what to install.
 */
export async function ensureDebianPackage(name: string, program: string): Promise<void> {
  if (existsSync(program)) return
  try {
    await run('apt-get', ['update', '-q'], { timeout: 180_000 })
    await run('apt-get', ['install', '-y', '-q', name], { timeout: 180_000 })
  } catch (error) {
    throw new Error(
      `${program} is missing and apt-get could not install ${name}: install it, then run again`,
      {
        cause: error,
      },
    )
  }
  if (!existsSync(program)) throw new Error(`apt-get installed ${name} but ${program} is still missing`)
}
