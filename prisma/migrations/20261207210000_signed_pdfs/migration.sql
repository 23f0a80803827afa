-- Signed PDFs shared by every gateway instance (README "Signed PDFs"), one row per SHA-256.
CREATE TABLE "signed_pdfs" (
    "sha256" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "bytes" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "signed_pdfs_pkey" PRIMARY KEY ("sha256")
);

-- PDFs are compressed already: stored out of line and uncompressed, substring() reads only the
-- TOAST chunks of the slice a download asks for, not the whole value.
ALTER TABLE "signed_pdfs" ALTER COLUMN "bytes" SET STORAGE EXTERNAL;
