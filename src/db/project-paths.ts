import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

// Walking up instead of a fixed `../..` keeps this correct from src/db under tsx, from dist/db after
// the build, and from a bundle that flattens the tree, as long as prisma/ ships next to the code.
function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'prisma', 'migrations')) || existsSync(join(dir, 'prisma', 'schema.prisma')))
      return dir
    const parent = dirname(dir)
    if (parent === dir) {
      throw new Error(
        `no prisma/ directory (migrations or schema.prisma) in any parent of ${fileURLToPath(import.meta.url)}; pass the paths explicitly`,
      )
    }
    dir = parent
  }
}

let root: string | undefined

/** The directory holding prisma/ (and node_modules/): the repository, or /app in the image. */
export function projectRoot(): string {
  root ??= findProjectRoot()
  return root
}

export function prismaDir(): string {
  return join(projectRoot(), 'prisma')
}

export function defaultSchemaPath(): string {
  return join(prismaDir(), 'schema.prisma')
}

export function defaultMigrationsDir(): string {
  return join(prismaDir(), 'migrations')
}
