import { mkdir } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'

export const IN_MEMORY = 'memory://'

export interface PgliteOpenOptions {
  /** A dump from `PGlite.dumpDataDir()` to start from instead of an empty cluster (skips initdb). */
  loadDataDir?: Blob
}

/** Opens PGlite on a directory (created when missing) or, for `memory://`, in memory. */
export async function openPglite(dataDir: string, options: PgliteOpenOptions = {}): Promise<PGlite> {
  if (!dataDir.startsWith(IN_MEMORY)) await mkdir(dataDir, { recursive: true })
  return PGlite.create(dataDir, options.loadDataDir ? { loadDataDir: options.loadDataDir } : {})
}
