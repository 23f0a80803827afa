import { defineConfig } from 'vitest/config'

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
  },
})
