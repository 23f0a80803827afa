-- AlterTable
ALTER TABLE "document_events" ADD COLUMN     "actor" TEXT;

-- AlterTable
ALTER TABLE "webhook_events" ADD COLUMN     "audience" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateIndex
CREATE INDEX "documents_created_at_id_idx" ON "documents"("created_at", "id");

-- CreateIndex
CREATE INDEX "documents_status_created_at_id_idx" ON "documents"("status", "created_at", "id");

-- CreateIndex
CREATE INDEX "registrations_created_at_id_idx" ON "registrations"("created_at", "id");

-- CreateIndex
CREATE INDEX "registrations_status_created_at_id_idx" ON "registrations"("status", "created_at", "id");

-- CreateIndex
CREATE INDEX "registrations_registration_type_created_at_id_idx" ON "registrations"("registration_type", "created_at", "id");

-- CreateIndex
CREATE INDEX "webhook_events_created_at_id_idx" ON "webhook_events"("created_at", "id");

-- CreateIndex
CREATE INDEX "webhook_events_type_created_at_id_idx" ON "webhook_events"("type", "created_at", "id");

-- CreateIndex
CREATE INDEX "webhook_events_audience_idx" ON "webhook_events" USING GIN ("audience");
