-- CreateEnum
CREATE TYPE "RegistrationType" AS ENUM ('landing_page', 'privy_ra', 'merchant_ra');

-- CreateEnum
CREATE TYPE "RegistrationStatus" AS ENUM ('pending', 'waiting_otp', 'waiting_verification', 'verified', 'rejected');

-- CreateEnum
CREATE TYPE "SubmissionState" AS ENUM ('in_flight', 'submitted', 'failed', 'unknown');

-- CreateTable
CREATE TABLE "registrations" (
    "id" UUID NOT NULL,
    "owner_id" TEXT NOT NULL,
    "reference_number" TEXT NOT NULL,
    "registration_type" "RegistrationType" NOT NULL,
    "status" "RegistrationStatus" NOT NULL,
    "submission" "SubmissionState" NOT NULL DEFAULT 'in_flight',
    "email_masked" TEXT NOT NULL,
    "phone_masked" TEXT NOT NULL,
    "register_token" TEXT,
    "registration_url" TEXT,
    "privy_id" TEXT,
    "reject_code" TEXT,
    "reject_reason" TEXT,
    "can_resend" BOOLEAN NOT NULL DEFAULT false,
    "upstream_error" JSONB,
    "synced_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "registrations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "registrations_reference_number_key" ON "registrations"("reference_number");

-- CreateIndex
CREATE INDEX "registrations_owner_id_created_at_id_idx" ON "registrations"("owner_id", "created_at", "id");
