-- AlterTable
ALTER TABLE "registrations" ADD COLUMN     "ended_at" TIMESTAMPTZ(3);
