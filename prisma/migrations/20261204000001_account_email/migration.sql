-- An account's address is confirmed by a link when mailing is on; existing addresses count as confirmed.
-- AlterTable
ALTER TABLE "User" ADD COLUMN     "emailCode" TEXT,
ADD COLUMN     "emailVerified" BOOLEAN NOT NULL DEFAULT true;

-- CreateIndex
CREATE UNIQUE INDEX "User_emailCode_key" ON "User"("emailCode");

