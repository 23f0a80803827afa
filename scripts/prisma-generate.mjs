// Generates the Prisma client without the native schema engine download, which `prisma generate`
// does not need (Prisma 7 runs on driver adapters). Where the engine is installed it is used as usual.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const env = { ...process.env }
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = existsSync('/bin/false') ? '/bin/false' : process.execPath
}
const result = spawnSync('npx', ['--no-install', 'prisma', 'generate', '--no-hints'], {
  env,
  stdio: ['ignore', 'pipe', 'pipe'],
})
// Quiet on success: the command runs before every start and test.
if (result.status !== 0) {
  process.stdout.write(result.stdout ?? '')
  process.stderr.write(result.stderr ?? '')
  process.exit(result.status ?? 1)
}
