-- AlterTable
ALTER TABLE "registrations" ADD COLUMN     "email_lookup" TEXT;
