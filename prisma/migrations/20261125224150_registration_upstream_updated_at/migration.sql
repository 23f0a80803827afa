-- AlterTable
ALTER TABLE "registrations" ADD COLUMN     "upstream_updated_at" TIMESTAMPTZ(3);
