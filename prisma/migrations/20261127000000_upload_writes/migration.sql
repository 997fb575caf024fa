-- An upload session's activity is its scratch file's modification time: a chunk no longer costs a row
-- update (and a commit) on top of the write itself.
DROP INDEX "Upload_updatedAt_idx";

ALTER TABLE "Upload" DROP COLUMN "bytesReceived",
DROP COLUMN "updatedAt";

CREATE INDEX "Upload_createdAt_idx" ON "Upload"("createdAt");

-- The end of an upload as one statement, run inside the caller's transaction just before it moves the
-- file into place: the blob row (shared by every repository), the repository's link and the end of the
-- session. It takes the digest's advisory lock shared (class p_lock_class, as BlobService and the garbage
-- collector use it), so garbage collection cannot delete the blob between the rename and the commit.
CREATE FUNCTION hm_finish_upload(
  p_lock_class integer,
  p_upload uuid,
  p_repo bigint,
  p_digest text,
  p_size bigint,
  p_protected_until timestamptz,
  OUT blob_id bigint,
  OUT blob_size bigint
) LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock_shared(p_lock_class, hashtext(p_digest));
  INSERT INTO "Blob" (digest, size) VALUES (p_digest, p_size)
  ON CONFLICT (digest) DO NOTHING
  RETURNING id, size INTO blob_id, blob_size;
  IF blob_id IS NULL THEN
    SELECT b.id, b.size INTO blob_id, blob_size FROM "Blob" b WHERE b.digest = p_digest;
  END IF;
  INSERT INTO "RepositoryBlob" ("repositoryId", "blobId", "protectedUntil")
  VALUES (p_repo, blob_id, p_protected_until)
  ON CONFLICT ("repositoryId", "blobId") DO UPDATE SET "protectedUntil" = EXCLUDED."protectedUntil";
  DELETE FROM "Upload" WHERE id = p_upload;
END $$;
