-- AlterTable
ALTER TABLE "servers" ADD COLUMN     "healthy_counter" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "polled_at" TIMESTAMP(3),
ADD COLUMN     "unhealthy_counter" INTEGER NOT NULL DEFAULT 0;
