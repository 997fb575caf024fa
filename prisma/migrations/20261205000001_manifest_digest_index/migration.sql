-- CreateIndex
CREATE INDEX "Manifest_digest_idx" ON "Manifest"("digest");

