import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

// Integration test files spend much of their time waiting on sockets, timers and the database:
// vitest's default (cores - 1: one file at a time on 2 cores) leaves a quiet machine idle. Every file
// opens its own schema, so with PostgreSQL files run one a core. Not more: on a loaded machine
// (load 26) three files at once on 2 cores were no faster than one and timed out 4 tests. PGlite
// costs a core to start, so without DATABASE_URL the default stays. `--maxWorkers` overrides.
const workers = process.env.DATABASE_URL ? availableParallelism() : Math.max(availableParallelism() - 1, 1)

export default defineConfig({
  // Tests import the client workspace from its TypeScript source (the `exports` condition of
  // clients/typescript/package.json), so they never run against a stale build.
  ssr: { resolve: { conditions: ['@privy-gateway/source', 'node', 'development|production'] } },
  test: {
    include: ['test/**/*.test.ts', 'clients/*/test/**/*.test.ts'],
    // Safety nets for a test that hangs, not guesses at speed: every test waits on the events it
    // expects, and on a 2-core machine under load 20+ starting PGlite and migrating it takes a minute.
    testTimeout: 180_000,
    hookTimeout: 240_000,
    pool: 'forks',
    maxWorkers: workers,
    // The slowest files and their times, printed at the end of every run of more than one file.
    reporters: ['default', './test/reporters/slowest-files.ts'],
  },
})
