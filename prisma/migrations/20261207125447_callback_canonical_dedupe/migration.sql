-- Callbacks are deduplicated on the sha256 of their §2.3 canonical form (the string the signature
-- covers), not of their raw bytes, and a signed callback refused for its shape is kept apart
-- (`malformed`) so it never blocks the genuine one. A rename, not a drop: rows stored before keep the
-- hash of their bytes. A replay of one of those, after this migration, is stored once more and goes
-- through the forward-only state machines, which ignore it.

-- DropIndex
DROP INDEX "privy_callbacks_body_sha256_signature_valid_key";

-- AlterTable
ALTER TABLE "privy_callbacks" RENAME COLUMN "body_sha256" TO "canonical_sha256";
ALTER TABLE "privy_callbacks" ADD COLUMN "malformed" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE UNIQUE INDEX "privy_callbacks_canonical_sha256_signature_valid_malformed_key" ON "privy_callbacks"("canonical_sha256", "signature_valid", "malformed");
