import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

// Integration test files spend most of their time waiting on sockets, timers and the database, not
// on a core: vitest's default (cores - 1, so one file at a time on 2 cores) leaves the machine idle.
// Every file opens its own schema (PostgreSQL) or in-memory PGlite, so files run side by side
// safely; PGlite costs a core while it starts, hence fewer files at once without DATABASE_URL.
const workers = process.env.DATABASE_URL ? availableParallelism() + 1 : Math.max(availableParallelism(), 2)

export default defineConfig({
  // Tests import the client workspace from its TypeScript source (the `exports` condition of
  // clients/typescript/package.json), so they never run against a stale build.
  ssr: { resolve: { conditions: ['@privy-gateway/source', 'module', 'node', 'development|production'] } },
  test: {
    include: ['test/**/*.test.ts', 'clients/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: workers,
    // The slowest files and their times, printed at the end of every run of more than one file.
    reporters: ['default', './test/reporters/slowest-files.ts'],
  },
})
