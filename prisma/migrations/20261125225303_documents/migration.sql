-- CreateEnum
CREATE TYPE "DocumentStatus" AS ENUM ('uploaded', 'processing', 'processing_emeterai', 'completed', 'revoked', 'expired', 'error');

-- CreateEnum
CREATE TYPE "DocumentProcess" AS ENUM ('sign_only', 'emeterai_only', 'sign_then_emeterai', 'emeterai_then_sign');

-- CreateEnum
CREATE TYPE "SignProcess" AS ENUM ('serial', 'parallel');

-- CreateEnum
CREATE TYPE "SignerRole" AS ENUM ('signer', 'reviewer');

-- CreateEnum
CREATE TYPE "SignerStatus" AS ENUM ('waiting', 'signed', 'rejected');

-- CreateTable
CREATE TABLE "documents" (
    "id" UUID NOT NULL,
    "owner_id" TEXT NOT NULL,
    "reference_number" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "process" "DocumentProcess" NOT NULL,
    "sign_process" "SignProcess" NOT NULL,
    "visibility" BOOLEAN NOT NULL,
    "status" "DocumentStatus" NOT NULL DEFAULT 'uploaded',
    "submission" "SubmissionState" NOT NULL DEFAULT 'in_flight',
    "document_token" TEXT,
    "signing_url" TEXT,
    "sha256" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "page_count" INTEGER NOT NULL,
    "e_meterai" JSONB,
    "signed_sha256" TEXT,
    "upstream_error" JSONB,
    "upstream_updated_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "documents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "document_signers" (
    "id" UUID NOT NULL,
    "document_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "privy_id" TEXT NOT NULL,
    "registration_id" UUID,
    "user_owner_id" TEXT,
    "role" "SignerRole" NOT NULL,
    "status" "SignerStatus" NOT NULL DEFAULT 'waiting',
    "signed_at" TIMESTAMPTZ(3),
    "placements" JSONB NOT NULL,

    CONSTRAINT "document_signers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "document_events" (
    "id" UUID NOT NULL,
    "document_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "document_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "documents_reference_number_key" ON "documents"("reference_number");

-- CreateIndex
CREATE INDEX "documents_owner_id_created_at_id_idx" ON "documents"("owner_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "document_signers_user_owner_id_idx" ON "document_signers"("user_owner_id");

-- CreateIndex
CREATE UNIQUE INDEX "document_signers_document_id_position_key" ON "document_signers"("document_id", "position");

-- CreateIndex
CREATE INDEX "document_events_document_id_created_at_idx" ON "document_events"("document_id", "created_at");

-- AddForeignKey
ALTER TABLE "document_signers" ADD CONSTRAINT "document_signers_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "document_events" ADD CONSTRAINT "document_events_document_id_fkey" FOREIGN KEY ("document_id") REFERENCES "documents"("id") ON DELETE CASCADE ON UPDATE CASCADE;
