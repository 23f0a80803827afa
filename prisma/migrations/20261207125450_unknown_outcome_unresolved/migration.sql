-- An unknown outcome still unknown when the settle bound ran out: handed to an operator.
-- AlterEnum
ALTER TYPE "SubmissionState" ADD VALUE 'unresolved';
