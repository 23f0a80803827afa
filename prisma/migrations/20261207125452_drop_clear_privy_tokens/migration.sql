-- Drops the clear token columns, once the migration runner has sealed every token into the columns
-- of the previous migration. A tool that skips that step (`prisma migrate deploy`) stops here with
-- the tokens untouched (nothing of this migration applied), rather than losing them: run `npm run
-- db:migrate` instead, which seals them and then applies this migration again.
LOCK TABLE "registrations", "documents" IN ACCESS EXCLUSIVE MODE;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM "registrations" WHERE "register_token" IS NOT NULL)
     OR EXISTS (SELECT 1 FROM "documents" WHERE "document_token" IS NOT NULL) THEN
    RAISE EXCEPTION 'clear Privy tokens are still stored: run `npm run db:migrate` (it seals them first, with PII_ENCRYPTION_KEY)';
  END IF;
END
$$;

-- AlterTable
ALTER TABLE "documents" DROP COLUMN "document_token";

-- AlterTable
ALTER TABLE "registrations" DROP COLUMN "register_token";
