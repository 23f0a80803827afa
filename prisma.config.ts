import { defineConfig } from 'prisma/config'

// Used by the Prisma CLI (generate, and `migrate deploy` on machines that have its engine).
// The gateway itself migrates through src/db/migrations.ts and needs no CLI engine.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/unused' },
})
