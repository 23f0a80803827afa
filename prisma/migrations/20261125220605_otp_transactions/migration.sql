-- CreateEnum
CREATE TYPE "OtpType" AS ENUM ('registration', 'document_signing');

-- CreateEnum
CREATE TYPE "OtpChannel" AS ENUM ('sms', 'email');

-- CreateEnum
CREATE TYPE "OtpStatus" AS ENUM ('active', 'validated', 'locked', 'expired');

-- CreateTable
CREATE TABLE "otp_transactions" (
    "id" UUID NOT NULL,
    "owner_id" TEXT NOT NULL,
    "otp_type" "OtpType" NOT NULL,
    "otp_channel" "OtpChannel" NOT NULL,
    "registration_id" UUID,
    "document_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "upstream_transaction_id" TEXT NOT NULL,
    "status" "OtpStatus" NOT NULL DEFAULT 'active',
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "resend_available_at" TIMESTAMPTZ(3) NOT NULL,
    "request_count" INTEGER NOT NULL,
    "max_requests" INTEGER NOT NULL,
    "attempts_left" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "otp_transactions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "otp_transactions_upstream_transaction_id_key" ON "otp_transactions"("upstream_transaction_id");

-- CreateIndex
CREATE INDEX "otp_transactions_owner_id_created_at_idx" ON "otp_transactions"("owner_id", "created_at");

-- CreateIndex
CREATE INDEX "otp_transactions_registration_id_idx" ON "otp_transactions"("registration_id");

-- AddForeignKey
ALTER TABLE "otp_transactions" ADD CONSTRAINT "otp_transactions_registration_id_fkey" FOREIGN KEY ("registration_id") REFERENCES "registrations"("id") ON DELETE SET NULL ON UPDATE CASCADE;
