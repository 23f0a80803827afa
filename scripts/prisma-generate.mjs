// Generates the Prisma client without the native schema engine download, which `prisma generate`
// does not need (Prisma 7 runs on driver adapters). Where the engine is installed it is used as usual.
// It runs before every start and test, and the Prisma CLI costs seconds to load: when the generated
// client was made from the same schema, config and Prisma version, it is left as it is.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'

const OUTPUT = 'src/generated/prisma'
const STAMP = `${OUTPUT}/.generated-from`
const inputs = [
  'prisma/schema.prisma',
  'prisma.config.ts',
  'node_modules/prisma/package.json',
  'package-lock.json',
]
const hash = createHash('sha256')
for (const file of inputs) hash.update(file).update(existsSync(file) ? readFileSync(file) : '')
const fingerprint = hash.digest('hex')
if (existsSync(`${OUTPUT}/client.ts`) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === fingerprint) {
  process.exit(0)
}

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
writeFileSync(STAMP, fingerprint)
