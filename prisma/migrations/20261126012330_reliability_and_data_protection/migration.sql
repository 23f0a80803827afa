-- CreateEnum
CREATE TYPE "IdempotencyState" AS ENUM ('in_progress', 'completed', 'unknown');

-- CreateEnum
CREATE TYPE "PrivyCallbackState" AS ENUM ('received', 'applied', 'ignored', 'rejected', 'failed');

-- CreateEnum
CREATE TYPE "WebhookDeliveryState" AS ENUM ('pending', 'succeeded', 'failed', 'cancelled');

-- AlterTable
ALTER TABLE "documents" ADD COLUMN     "late_answer_until" TIMESTAMPTZ(3),
ADD COLUMN     "work_locked_until" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "otp_transactions" ADD COLUMN     "late_answer_until" TIMESTAMPTZ(3),
ADD COLUMN     "submission" "SubmissionState" NOT NULL DEFAULT 'submitted',
ALTER COLUMN "upstream_transaction_id" DROP NOT NULL;

-- AlterTable
ALTER TABLE "registrations" ADD COLUMN     "dob_sealed" BYTEA,
ADD COLUMN     "late_answer_until" TIMESTAMPTZ(3),
ADD COLUMN     "nik_lookup" TEXT,
ADD COLUMN     "nik_sealed" BYTEA,
ADD COLUMN     "phone_lookup" TEXT,
ADD COLUMN     "phone_prefix_lookup" TEXT,
ADD COLUMN     "pii_erased_at" TIMESTAMPTZ(3),
ADD COLUMN     "pii_key_id" TEXT,
ADD COLUMN     "work_locked_until" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "idempotency_keys" (
    "owner_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "state" "IdempotencyState" NOT NULL DEFAULT 'in_progress',
    "resource_id" UUID,
    "response_status" INTEGER,
    "response_content_type" TEXT,
    "response_body" TEXT,
    "response_headers" JSONB,
    "locked_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("owner_id","key")
);

-- CreateTable
CREATE TABLE "natural_keys" (
    "key" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "resource_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "natural_keys_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "privy_callbacks" (
    "id" UUID NOT NULL,
    "body_sha256" TEXT NOT NULL,
    "event" TEXT,
    "reference_number" TEXT,
    "signature_valid" BOOLEAN NOT NULL,
    "state" "PrivyCallbackState" NOT NULL DEFAULT 'received',
    "body_key_id" TEXT NOT NULL,
    "body_encrypted" BYTEA NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),

    CONSTRAINT "privy_callbacks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_endpoints" (
    "id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT,
    "event_types" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "disabled_reason" TEXT,
    "disabled_at" TIMESTAMPTZ(3),
    "failing_since" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_secrets" (
    "id" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "secret" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_secrets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_events" (
    "id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "resource_id" UUID NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatched_at" TIMESTAMPTZ(3),
    "locked_until" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL,
    "event_id" TEXT NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "state" "WebhookDeliveryState" NOT NULL DEFAULT 'pending',
    "attempt_count" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL,
    "locked_until" TIMESTAMPTZ(3),
    "last_status_code" INTEGER,
    "last_error" TEXT,
    "succeeded_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_attempts" (
    "id" UUID NOT NULL,
    "delivery_id" UUID NOT NULL,
    "attempt_number" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "status_code" INTEGER,
    "error" TEXT,
    "response_excerpt" TEXT,
    "manual" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "webhook_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rate_limit_counters" (
    "bucket" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "rate_limit_counters_pkey" PRIMARY KEY ("bucket","window_start")
);

-- CreateIndex
CREATE INDEX "idempotency_keys_expires_at_idx" ON "idempotency_keys"("expires_at");

-- CreateIndex
CREATE INDEX "natural_keys_resource_id_idx" ON "natural_keys"("resource_id");

-- CreateIndex
CREATE INDEX "privy_callbacks_state_received_at_idx" ON "privy_callbacks"("state", "received_at");

-- CreateIndex
CREATE INDEX "privy_callbacks_reference_number_idx" ON "privy_callbacks"("reference_number");

-- CreateIndex
CREATE UNIQUE INDEX "privy_callbacks_body_sha256_signature_valid_key" ON "privy_callbacks"("body_sha256", "signature_valid");

-- CreateIndex
CREATE INDEX "webhook_secrets_endpoint_id_idx" ON "webhook_secrets"("endpoint_id");

-- CreateIndex
CREATE INDEX "webhook_events_dispatched_at_created_at_idx" ON "webhook_events"("dispatched_at", "created_at");

-- CreateIndex
CREATE INDEX "webhook_events_resource_id_created_at_idx" ON "webhook_events"("resource_id", "created_at");

-- CreateIndex
CREATE INDEX "webhook_deliveries_state_next_attempt_at_idx" ON "webhook_deliveries"("state", "next_attempt_at");

-- CreateIndex
CREATE INDEX "webhook_deliveries_endpoint_id_created_at_idx" ON "webhook_deliveries"("endpoint_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_event_id_endpoint_id_key" ON "webhook_deliveries"("event_id", "endpoint_id");

-- CreateIndex
CREATE INDEX "webhook_attempts_delivery_id_attempt_number_idx" ON "webhook_attempts"("delivery_id", "attempt_number");

-- CreateIndex
CREATE INDEX "rate_limit_counters_expires_at_idx" ON "rate_limit_counters"("expires_at");

-- CreateIndex
CREATE INDEX "documents_submission_synced_at_idx" ON "documents"("submission", "synced_at");

-- CreateIndex
CREATE INDEX "registrations_submission_synced_at_idx" ON "registrations"("submission", "synced_at");

-- CreateIndex
CREATE INDEX "registrations_nik_lookup_idx" ON "registrations"("nik_lookup");

-- CreateIndex
CREATE INDEX "registrations_pii_key_id_idx" ON "registrations"("pii_key_id");

-- AddForeignKey
ALTER TABLE "webhook_secrets" ADD CONSTRAINT "webhook_secrets_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "webhook_events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;
