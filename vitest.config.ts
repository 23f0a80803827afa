import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Tests import the client workspace from its TypeScript source (the `exports` condition of
  // clients/typescript/package.json), so they never run against a stale build.
  ssr: { resolve: { conditions: ['@privy-gateway/source', 'node', 'development|production'] } },
  test: {
    include: ['test/**/*.test.ts', 'clients/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
})
