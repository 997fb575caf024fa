-- Events become jobs only for queues that want them. The notifications queue wants an event about a repository
-- only when that repository has a notification for it (Quay queues notification work per configured
-- notification): a push into a repository nobody watches writes no job record and gives the workers nothing
-- to do. RepositoryNotification is Quay's repository notification; the notifications capability builds on it.
CREATE TABLE "RepositoryNotification" (
    "id" BIGSERIAL NOT NULL,
    "uuid" UUID NOT NULL DEFAULT gen_random_uuid(),
    "repositoryId" BIGINT NOT NULL,
    "event" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "title" TEXT NOT NULL DEFAULT '',
    "config" JSONB NOT NULL DEFAULT '{}',
    "eventConfig" JSONB NOT NULL DEFAULT '{}',
    "numberOfFailures" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RepositoryNotification_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "RepositoryNotification_uuid_key" ON "RepositoryNotification"("uuid");
CREATE INDEX "RepositoryNotification_repositoryId_event_idx" ON "RepositoryNotification"("repositoryId", "event");
ALTER TABLE "RepositoryNotification" ADD CONSTRAINT "RepositoryNotification_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "Repository"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Whether `p_queue` wants event `p_event` about repository `p_repo` (null: not about one repository). The one
-- place this rule lives: the unit of work's outbox insert and hm_push_manifest both call it.
CREATE FUNCTION hm_event_wanted(p_queue text, p_event text, p_repo bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT p_queue <> 'notifications' OR p_repo IS NULL OR EXISTS (
    SELECT 1 FROM "RepositoryNotification" n WHERE n."repositoryId" = p_repo AND n.event = p_event
  )
$$;

CREATE OR REPLACE FUNCTION hm_push_manifest(
  p_repo bigint,
  p_digest text,
  p_media_type text,
  p_bytes bytea,
  p_config_media_type text,
  p_config_digest text,
  p_artifact_type text,
  p_subject_digest text,
  p_layers_size bigint,
  p_blob_digests text[],
  p_child_digests text[],
  p_child_platforms jsonb,     -- JSON array aligned with p_child_digests (null where none)
  p_labels json,               -- object key → value in config order, stored (source manifest) when new
  p_tag text,                  -- null for a push by digest
  p_expires_after integer,     -- seconds the new tag row lives, null for no expiration
  p_audit_kind text,
  p_performer text,
  p_performer_id bigint,
  p_namespace bigint,
  p_ip text,
  p_audit_metadata jsonb,
  p_job_queues text[],         -- one outbox row (job record) per queue subscribed to the event that wants it
  p_job_name text,
  p_job_payload jsonb,
  OUT manifest_id bigint,
  OUT inserted boolean,
  OUT missing_blob text,
  OUT missing_child text,
  OUT outbox jsonb             -- the outbox rows written: [{id, queue}], for the hand-over after commit
) LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz;
  v_blob_ids bigint[];
  v_found text[];
BEGIN
  -- Garbage collection, manifest deletes and tag commands hold the repository's lock exclusively; pushes
  -- hold it shared, so pushes of different tags run side by side, and take the tag's own lock to line up
  -- with pushes of the same tag. The clock is read after the locks, so a tag's new lifetime never starts
  -- before the one it ends. Milliseconds, as TagService.withRepoLock reads it in JavaScript.
  PERFORM pg_advisory_xact_lock_shared(p_repo);
  IF p_tag IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_repo::text || ':' || p_tag, 0));
  END IF;
  v_now := date_trunc('milliseconds', clock_timestamp());

  -- Links are removed only under the repository's lock held exclusively (garbage collection, and blob
  -- DELETE through the API), so what is read here holds until the commit without row locks (which every
  -- push of the same layers would otherwise contend on).
  SELECT coalesce(array_agg(b.id), '{}'), coalesce(array_agg(b.digest), '{}') INTO v_blob_ids, v_found
  FROM "RepositoryBlob" rb JOIN "Blob" b ON b.id = rb."blobId"
  WHERE rb."repositoryId" = p_repo AND b.digest = ANY(p_blob_digests);
  SELECT d INTO missing_blob FROM unnest(p_blob_digests) d WHERE NOT d = ANY(v_found) LIMIT 1;
  IF missing_blob IS NOT NULL THEN
    RETURN;
  END IF;
  SELECT d INTO missing_child FROM unnest(p_child_digests) d
  WHERE NOT EXISTS (SELECT 1 FROM "Manifest" m WHERE m."repositoryId" = p_repo AND m.digest = d) LIMIT 1;
  IF missing_child IS NOT NULL THEN
    RETURN;
  END IF;

  INSERT INTO "Manifest" (
    "repositoryId", digest, "mediaType", bytes, size, "configMediaType", "configDigest", "artifactType",
    "subjectDigest", "layersSize"
  ) VALUES (
    p_repo, p_digest, p_media_type, p_bytes, length(p_bytes), p_config_media_type, p_config_digest,
    p_artifact_type, p_subject_digest, p_layers_size
  ) ON CONFLICT ("repositoryId", digest) DO NOTHING
  RETURNING id INTO manifest_id;
  inserted := manifest_id IS NOT NULL;
  IF NOT inserted THEN
    SELECT id INTO manifest_id FROM "Manifest" WHERE "repositoryId" = p_repo AND digest = p_digest;
  END IF;

  INSERT INTO "ManifestBlob" ("manifestId", "blobId")
  SELECT manifest_id, unnest(v_blob_ids) ON CONFLICT DO NOTHING;
  IF inserted THEN
    INSERT INTO "Label" ("manifestId", key, value, source)
    SELECT manifest_id, l.key, l.value, 'manifest'
    FROM json_each_text(p_labels) WITH ORDINALITY AS l(key, value, ord) ORDER BY l.ord;
  END IF;
  INSERT INTO "ManifestChild" ("parentId", "childId", platform)
  SELECT manifest_id, m.id, nullif(p_child_platforms -> (c.ord - 1)::int, 'null'::jsonb)
  FROM unnest(p_child_digests) WITH ORDINALITY AS c(digest, ord)
  JOIN "Manifest" m ON m."repositoryId" = p_repo AND m.digest = c.digest
  ORDER BY c.ord
  ON CONFLICT DO NOTHING;

  IF p_tag IS NOT NULL THEN
    PERFORM hm_retarget_tag(
      p_repo, p_tag, manifest_id, v_now,
      CASE WHEN p_expires_after IS NULL THEN NULL ELSE v_now + make_interval(secs => p_expires_after) END,
      false
    );
  END IF;

  -- The audit entry and the job records commit with the manifest: never a push without its record.
  INSERT INTO "AuditLog" (kind, performer, "performerId", "namespaceId", "repositoryId", ip, metadata)
  VALUES (p_audit_kind, p_performer, p_performer_id, p_namespace, p_repo, p_ip, p_audit_metadata);
  WITH jobs AS (
    INSERT INTO "JobRecord" (queue, name, payload)
    SELECT q, p_job_name, p_job_payload FROM unnest(p_job_queues) AS q
    WHERE hm_event_wanted(q, p_job_name, p_repo)
    RETURNING id, queue
  )
  SELECT coalesce(jsonb_agg(jsonb_build_object('id', id::text, 'queue', queue)), '[]') INTO outbox FROM jobs;
END $$;
