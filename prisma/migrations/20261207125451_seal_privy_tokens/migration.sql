-- Privy's register and document tokens, sealed (AES-256-GCM) with the id of their key. The clear
-- columns are emptied into these by the gateway's migration runner (`npm run db:migrate`, or the
-- embedded PGlite at start), which needs PII_ENCRYPTION_KEY, before the next migration drops them.

-- AlterTable
ALTER TABLE "documents" ADD COLUMN     "document_token_sealed" BYTEA,
ADD COLUMN     "token_key_id" TEXT;

-- AlterTable
ALTER TABLE "registrations" ADD COLUMN     "register_token_sealed" BYTEA,
ADD COLUMN     "token_key_id" TEXT;

-- CreateIndex
CREATE INDEX "documents_token_key_id_idx" ON "documents"("token_key_id");

-- CreateIndex
CREATE INDEX "registrations_token_key_id_idx" ON "registrations"("token_key_id");
