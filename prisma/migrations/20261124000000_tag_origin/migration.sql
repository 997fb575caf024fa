-- Tag history records how each row began (created, moved, restored): a restore cannot be derived from
-- timestamps alone. expiryNotified lets garbage collection announce each expiration exactly once.

-- CreateEnum
CREATE TYPE "TagOrigin" AS ENUM ('created', 'moved', 'restored');

-- AlterTable
ALTER TABLE "Tag" ADD COLUMN     "expiryNotified" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "origin" "TagOrigin" NOT NULL DEFAULT 'created';

-- Backfill: a row that starts exactly when another row of the same name ended was a retarget.
UPDATE "Tag" t SET "origin" = 'moved'
WHERE EXISTS (
  SELECT 1 FROM "Tag" p
  WHERE p."repositoryId" = t."repositoryId" AND p.name = t.name AND p.id <> t.id
    AND p."lifetimeEnd" = t."lifetimeStart" AND NOT p.expires
);
-- Expirations that already happened need no announcement.
UPDATE "Tag" SET "expiryNotified" = true WHERE expires AND "lifetimeEnd" <= now();
