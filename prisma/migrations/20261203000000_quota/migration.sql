-- Storage quota (Quay's ch. 14). A repository's size is the sum of the distinct blobs (configs and layers,
-- each once) of the manifests its tag rows hold, directly or as children of a held index or as referrers of a
-- held manifest (OCI 1.1 subject); a tag row holds until garbage collection removes it, so the time machine's
-- rows count. A namespace's usage is the sum of its repositories' sizes.
--
-- The sizes are kept exact in the transaction of every change: by the push function itself (the only writer
-- of manifests and their blob and child links), and by triggers for every other path (tag commands, garbage
-- collection, deletions, uploads): a manifest is claimed as counted once (an UPDATE
-- guarded by NOT counted, so of two concurrent claims one wins and neither waits when it is already counted),
-- and so is each of its blobs per repository. Releases run under the repository's exclusive lock (garbage
-- collection, tag and manifest deletes), never beside a claim, and work on whole sets so that thousands of
-- manifests sharing one layer check that layer once. A change of size is a row appended to
-- RepositorySizeDelta, never an update of one row per repository (whose lock, held to the commit, would line
-- up every growing push of a repository); the maintenance job folds the rows into RepositorySize.

ALTER TABLE "Manifest" ADD COLUMN "counted" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "RepositoryBlob" ADD COLUMN "counted" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Namespace" ADD COLUMN "quotaErrorNotified" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE "RepositorySize" (
    "repositoryId" BIGINT NOT NULL,
    "sizeBytes" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "RepositorySize_pkey" PRIMARY KEY ("repositoryId")
);
ALTER TABLE "RepositorySize" ADD CONSTRAINT "RepositorySize_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "Repository"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "RepositorySizeDelta" (
    "id" BIGSERIAL NOT NULL,
    "repositoryId" BIGINT NOT NULL,
    "bytes" BIGINT NOT NULL,
    CONSTRAINT "RepositorySizeDelta_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "RepositorySizeDelta_repositoryId_idx" ON "RepositorySizeDelta"("repositoryId");
ALTER TABLE "RepositorySizeDelta" ADD CONSTRAINT "RepositorySizeDelta_repositoryId_fkey" FOREIGN KEY ("repositoryId") REFERENCES "Repository"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "NamespaceQuota" (
    "id" BIGSERIAL NOT NULL,
    "namespaceId" BIGINT NOT NULL,
    "limitBytes" BIGINT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "NamespaceQuota_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "NamespaceQuota_limit_check" CHECK ("limitBytes" > 0)
);
CREATE UNIQUE INDEX "NamespaceQuota_namespaceId_key" ON "NamespaceQuota"("namespaceId");
ALTER TABLE "NamespaceQuota" ADD CONSTRAINT "NamespaceQuota_namespaceId_fkey" FOREIGN KEY ("namespaceId") REFERENCES "Namespace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TYPE "QuotaLimitType" AS ENUM ('Warning', 'Reject');
CREATE TABLE "QuotaLimit" (
    "id" BIGSERIAL NOT NULL,
    "quotaId" BIGINT NOT NULL,
    "type" "QuotaLimitType" NOT NULL,
    "thresholdPercent" INTEGER NOT NULL,
    CONSTRAINT "QuotaLimit_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "QuotaLimit_percent_check" CHECK ("thresholdPercent" BETWEEN 1 AND 100)
);
CREATE INDEX "QuotaLimit_quotaId_idx" ON "QuotaLimit"("quotaId");
ALTER TABLE "QuotaLimit" ADD CONSTRAINT "QuotaLimit_quotaId_fkey" FOREIGN KEY ("quotaId") REFERENCES "NamespaceQuota"("id") ON DELETE CASCADE ON UPDATE CASCADE;
-- At most one Reject limit per quota, as Quay allows.
CREATE UNIQUE INDEX "QuotaLimit_one_reject" ON "QuotaLimit"("quotaId") WHERE "type" = 'Reject';

-- ---------------------------------------------------------------- holding and releasing

-- What the transaction added to repository sizes so far (the push's quota check reads it).
CREATE FUNCTION hm_usage_grew(p_bytes bigint) RETURNS void LANGUAGE sql AS $$
  SELECT set_config('hm.usage_grew',
    (coalesce(nullif(current_setting('hm.usage_grew', true), ''), '0')::bigint + p_bytes)::text, true)
$$;

-- Adds claimed bytes to a repository's size; they count toward the push's quota check.
CREATE FUNCTION hm_usage_add(p_repo bigint, p_bytes bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "RepositorySizeDelta" ("repositoryId", bytes) VALUES (p_repo, p_bytes);
  SELECT hm_usage_grew(p_bytes);
$$;

-- Claims the not yet counted links of these blobs in the repository and adds their sizes: one statement for
-- the push's hold and for blobs linked to a manifest that already counts.
CREATE FUNCTION hm_usage_claim_blobs(p_repo bigint, p_blobs bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_added bigint;
BEGIN
  WITH claimed AS (
    UPDATE "RepositoryBlob" rb SET counted = true
    WHERE rb."repositoryId" = p_repo AND rb."blobId" = ANY(p_blobs) AND NOT rb.counted
    RETURNING rb."blobId"
  )
  SELECT coalesce(sum(b.size), 0) INTO v_added FROM claimed JOIN "Blob" b ON b.id = claimed."blobId";
  IF v_added > 0 THEN
    PERFORM hm_usage_add(p_repo, v_added);
  END IF;
END $$;

-- Claims a manifest and, recursively, what it holds (children, referrers); adds its newly counted blobs to
-- the repository's size.
CREATE FUNCTION hm_usage_hold(p_manifest bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_repo bigint;
  v_digest text;
  v_next bigint;
BEGIN
  UPDATE "Manifest" SET counted = true WHERE id = p_manifest AND NOT counted
  RETURNING "repositoryId", digest INTO v_repo, v_digest;
  IF v_repo IS NULL THEN
    RETURN;
  END IF;
  PERFORM hm_usage_claim_blobs(v_repo, array_agg("blobId")) FROM "ManifestBlob" WHERE "manifestId" = p_manifest;
  FOR v_next IN
    SELECT "childId" FROM "ManifestChild" WHERE "parentId" = p_manifest
    UNION SELECT id FROM "Manifest" WHERE "repositoryId" = v_repo AND "subjectDigest" = v_digest AND NOT counted
  LOOP
    PERFORM hm_usage_hold(v_next);
  END LOOP;
END $$;

-- Releases the manifests among p_ids that nothing holds any more (no tag row, no counted parent, no counted
-- subject), then what only they held, round by round; then takes their blobs that no counted manifest of the
-- repository still references off its size, checking each distinct blob once. p_force releases p_ids even
-- where something still holds them (a manifest being deleted).
CREATE FUNCTION hm_usage_release(p_ids bigint[], p_force boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_candidates bigint[] := p_ids;
  v_force boolean := p_force;
  v_released bigint[] := '{}';
  v_round bigint[];
BEGIN
  LOOP
    WITH freed AS (
      UPDATE "Manifest" m SET counted = false
      WHERE m.id = ANY(v_candidates) AND m.counted AND (v_force OR (
        NOT EXISTS (SELECT 1 FROM "Tag" t WHERE t."manifestId" = m.id)
        AND NOT EXISTS (SELECT 1 FROM "ManifestChild" mc JOIN "Manifest" p ON p.id = mc."parentId"
                        WHERE mc."childId" = m.id AND p.counted)
        AND NOT EXISTS (SELECT 1 FROM "Manifest" s WHERE m."subjectDigest" IS NOT NULL
                        AND s."repositoryId" = m."repositoryId" AND s.digest = m."subjectDigest" AND s.counted)))
      RETURNING m.id, m."repositoryId", m.digest
    )
    SELECT coalesce(array_agg(id), '{}') INTO v_round FROM freed;
    v_force := false;
    EXIT WHEN cardinality(v_round) = 0;
    v_released := v_released || v_round;
    SELECT coalesce(array_agg(DISTINCT x.id), '{}') INTO v_candidates FROM (
      SELECT mc."childId" AS id FROM "ManifestChild" mc WHERE mc."parentId" = ANY(v_round)
      UNION ALL
      SELECT r.id FROM "Manifest" f JOIN "Manifest" r
        ON r."repositoryId" = f."repositoryId" AND r."subjectDigest" = f.digest
      WHERE f.id = ANY(v_round)
    ) x;
  END LOOP;
  IF cardinality(v_released) = 0 THEN
    RETURN;
  END IF;
  WITH affected AS (
    SELECT DISTINCT m."repositoryId", mb."blobId"
    FROM "Manifest" m JOIN "ManifestBlob" mb ON mb."manifestId" = m.id
    WHERE m.id = ANY(v_released)
  ), dropped AS (
    UPDATE "RepositoryBlob" rb SET counted = false
    FROM affected a
    WHERE rb."repositoryId" = a."repositoryId" AND rb."blobId" = a."blobId" AND rb.counted
      AND NOT EXISTS (SELECT 1 FROM "ManifestBlob" o JOIN "Manifest" om ON om.id = o."manifestId"
                      WHERE o."blobId" = a."blobId" AND om."repositoryId" = a."repositoryId" AND om.counted)
    RETURNING rb."repositoryId", rb."blobId"
  )
  INSERT INTO "RepositorySizeDelta" ("repositoryId", bytes)
  SELECT d."repositoryId", -sum(b.size) FROM dropped d JOIN "Blob" b ON b.id = d."blobId"
  GROUP BY d."repositoryId";
END $$;

-- ---------------------------------------------------------------- the triggers

-- Row triggers where a push fires them (a tag row, an uploaded blob's link): one indexed lookup with a cached
-- plan, where a statement trigger's query over its transition table would be planned again on every push.
CREATE FUNCTION hm_usage_tag_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "Manifest" WHERE id = NEW."manifestId" AND counted) THEN
    PERFORM hm_usage_hold(NEW."manifestId");
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER hm_usage_tag_added AFTER INSERT ON "Tag"
FOR EACH ROW EXECUTE FUNCTION hm_usage_tag_added();

CREATE FUNCTION hm_usage_tags_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM hm_usage_release(array_agg(DISTINCT "manifestId")) FROM removed HAVING count(*) > 0;
  RETURN NULL;
END $$;
CREATE TRIGGER hm_usage_tags_removed AFTER DELETE ON "Tag"
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION hm_usage_tags_removed();

-- A tag row moved to another manifest (no path does this today; kept exact should one).
CREATE FUNCTION hm_usage_tag_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM hm_usage_hold(NEW."manifestId");
  PERFORM hm_usage_release(ARRAY[OLD."manifestId"]);
  RETURN NULL;
END $$;
CREATE TRIGGER hm_usage_tag_moved AFTER UPDATE OF "manifestId" ON "Tag"
FOR EACH ROW WHEN (OLD."manifestId" IS DISTINCT FROM NEW."manifestId") EXECUTE FUNCTION hm_usage_tag_moved();

-- A blob link removed while it counted (DELETE of a blob through the API) leaves the size.
CREATE FUNCTION hm_usage_links_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "RepositorySizeDelta" ("repositoryId", bytes)
  SELECT r."repositoryId", -sum(b.size) FROM removed r JOIN "Blob" b ON b.id = r."blobId"
  WHERE r.counted GROUP BY r."repositoryId";
  RETURN NULL;
END $$;
CREATE TRIGGER hm_usage_links_removed AFTER DELETE ON "RepositoryBlob"
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION hm_usage_links_removed();

-- A blob linked again (uploaded after its link was removed) under a manifest that counts, counts again.
CREATE FUNCTION hm_usage_link_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM "ManifestBlob" mb JOIN "Manifest" m ON m.id = mb."manifestId"
             WHERE mb."blobId" = NEW."blobId" AND m."repositoryId" = NEW."repositoryId" AND m.counted) THEN
    PERFORM hm_usage_claim_blobs(NEW."repositoryId", ARRAY[NEW."blobId"]);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER hm_usage_link_added AFTER INSERT ON "RepositoryBlob"
FOR EACH ROW EXECUTE FUNCTION hm_usage_link_added();

-- ---------------------------------------------------------------- from scratch

-- What the sizes are, computed from the tag rows alone (not from the counted flags): the backfill writes it,
-- the verifier compares it with what the triggers kept. p_repo null: every repository.
CREATE FUNCTION hm_usage_recompute(p_repo bigint)
RETURNS TABLE ("repositoryId" bigint, "sizeBytes" bigint) LANGUAGE sql STABLE AS $$
  WITH RECURSIVE held(id) AS (
    SELECT DISTINCT t."manifestId" FROM "Tag" t WHERE p_repo IS NULL OR t."repositoryId" = p_repo
    UNION
    SELECT c.id FROM held h
    JOIN "Manifest" hm ON hm.id = h.id
    JOIN "Manifest" c ON c."repositoryId" = hm."repositoryId"
      AND (c."subjectDigest" = hm.digest
           OR c.id IN (SELECT mc."childId" FROM "ManifestChild" mc WHERE mc."parentId" = hm.id))
  ), blobs AS (
    SELECT DISTINCT m."repositoryId", mb."blobId"
    FROM held h JOIN "Manifest" m ON m.id = h.id
    JOIN "ManifestBlob" mb ON mb."manifestId" = m.id
    JOIN "RepositoryBlob" rb ON rb."repositoryId" = m."repositoryId" AND rb."blobId" = mb."blobId"
  )
  SELECT r.id, coalesce(sum(b.size), 0)::bigint
  FROM "Repository" r
  LEFT JOIN blobs x ON x."repositoryId" = r.id
  LEFT JOIN "Blob" b ON b.id = x."blobId"
  WHERE p_repo IS NULL OR r.id = p_repo
  GROUP BY r.id
$$;

-- Sets the counted flags and sizes from scratch (the data that existed before this migration, and the
-- admin's backfill command).
CREATE FUNCTION hm_usage_backfill() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  WITH RECURSIVE held(id) AS (
    SELECT DISTINCT "manifestId" FROM "Tag"
    UNION
    SELECT c.id FROM held h
    JOIN "Manifest" hm ON hm.id = h.id
    JOIN "Manifest" c ON c."repositoryId" = hm."repositoryId"
      AND (c."subjectDigest" = hm.digest
           OR c.id IN (SELECT mc."childId" FROM "ManifestChild" mc WHERE mc."parentId" = hm.id))
  )
  UPDATE "Manifest" m SET counted = (m.id IN (SELECT id FROM held)) WHERE m.counted IS DISTINCT FROM (m.id IN (SELECT id FROM held));
  UPDATE "RepositoryBlob" rb SET counted = x.c
  FROM (
    SELECT r."repositoryId", r."blobId", EXISTS (
      SELECT 1 FROM "ManifestBlob" mb JOIN "Manifest" m ON m.id = mb."manifestId"
      WHERE mb."blobId" = r."blobId" AND m."repositoryId" = r."repositoryId" AND m.counted) AS c
    FROM "RepositoryBlob" r
  ) x
  WHERE rb."repositoryId" = x."repositoryId" AND rb."blobId" = x."blobId" AND rb.counted IS DISTINCT FROM x.c;
  DELETE FROM "RepositorySizeDelta";
  INSERT INTO "RepositorySize" ("repositoryId", "sizeBytes")
  SELECT "repositoryId", "sizeBytes" FROM hm_usage_recompute(NULL)
  ON CONFLICT ("repositoryId") DO UPDATE SET "sizeBytes" = excluded."sizeBytes";
END $$;

SELECT hm_usage_backfill();

-- The sizes of these repositories (null: every one that has any): the folded total plus the rows not yet
-- folded, read in one snapshot.
CREATE FUNCTION hm_repository_sizes(p_ids bigint[])
RETURNS TABLE ("repositoryId" bigint, "sizeBytes" bigint) LANGUAGE sql STABLE AS $$
  SELECT x.id, sum(x.bytes)::bigint FROM (
    SELECT rs."repositoryId" AS id, rs."sizeBytes" AS bytes FROM "RepositorySize" rs
    WHERE p_ids IS NULL OR rs."repositoryId" = ANY(p_ids)
    UNION ALL
    SELECT d."repositoryId", d.bytes FROM "RepositorySizeDelta" d
    WHERE p_ids IS NULL OR d."repositoryId" = ANY(p_ids)
  ) x GROUP BY x.id
$$;

-- Folds the appended changes into the totals (the maintenance job, every minute). Only this and the
-- backfill write RepositorySize, so no push waits on it; two folds at once take disjoint rows.
CREATE FUNCTION hm_usage_compact() RETURNS bigint LANGUAGE sql AS $$
  WITH d AS (
    DELETE FROM "RepositorySizeDelta" RETURNING "repositoryId", bytes
  ), s AS (
    SELECT "repositoryId", sum(bytes)::bigint AS bytes FROM d GROUP BY "repositoryId"
  ), folded AS (
    INSERT INTO "RepositorySize" ("repositoryId", "sizeBytes") SELECT "repositoryId", bytes FROM s
    ON CONFLICT ("repositoryId") DO UPDATE SET "sizeBytes" = "RepositorySize"."sizeBytes" + excluded."sizeBytes"
    RETURNING 1
  )
  SELECT count(*) FROM folded
$$;

-- ---------------------------------------------------------------- the push, with the quota's admission

DROP FUNCTION hm_push_manifest;
CREATE FUNCTION hm_push_manifest(
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
  p_quota_limit bigint,        -- the namespace's quota in bytes (null: nothing to enforce)
  p_quota_reject bigint,       -- its Reject threshold in bytes (null: none)
  p_quota_warnings bigint[],   -- its Warning thresholds in bytes
  OUT manifest_id bigint,
  OUT inserted boolean,
  OUT missing_blob text,
  OUT missing_child text,
  OUT outbox jsonb             -- the outbox rows written: [{id, queue}], for the hand-over after commit
) LANGUAGE plpgsql AS $$
DECLARE
  v_now timestamptz;
  v_blob_ids bigint[];
  v_unclaimed bigint[];
  v_found text[];
  v_grew bigint;
  v_counted boolean;
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
  SELECT coalesce(array_agg(b.id), '{}'), coalesce(array_agg(b.digest), '{}'),
    coalesce(array_agg(b.id) FILTER (WHERE NOT rb.counted), '{}')
  INTO v_blob_ids, v_found, v_unclaimed
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

  -- What this push adds to the repository's size, summed as blobs are claimed.
  PERFORM set_config('hm.usage_grew', '0', true);

  -- A manifest counts from its insert when the push tags it or, a referrer, when its subject counts (no second
  -- write of the row); it then claims its blobs, children and waiting referrers below.
  v_counted := p_tag IS NOT NULL OR (p_subject_digest IS NOT NULL AND EXISTS (
    SELECT 1 FROM "Manifest" s WHERE s."repositoryId" = p_repo AND s.digest = p_subject_digest AND s.counted));
  INSERT INTO "Manifest" (
    "repositoryId", digest, "mediaType", bytes, size, "configMediaType", "configDigest", "artifactType",
    "subjectDigest", "layersSize", counted
  ) VALUES (
    p_repo, p_digest, p_media_type, p_bytes, length(p_bytes), p_config_media_type, p_config_digest,
    p_artifact_type, p_subject_digest, p_layers_size, v_counted
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

  -- The usage of a new counted manifest (an existing one is held, if need be, by the tag row's trigger).
  IF inserted AND v_counted THEN
    IF cardinality(v_unclaimed) > 0 THEN
      PERFORM hm_usage_claim_blobs(p_repo, v_unclaimed);
    END IF;
    -- Index lookups only: the children by digest, the referrers by subject.
    IF cardinality(p_child_digests) > 0 THEN
      PERFORM hm_usage_hold(m.id) FROM "Manifest" m
      WHERE m."repositoryId" = p_repo AND m.digest = ANY(p_child_digests) AND NOT m.counted;
    END IF;
    PERFORM hm_usage_hold(m.id) FROM "Manifest" m
    WHERE m."repositoryId" = p_repo AND m."subjectDigest" = p_digest AND NOT m.counted;
  END IF;

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

  -- Quota: only a push that made the repository larger can cross a limit. Pushes that grow one namespace
  -- line up on its lock, so two that each fit cannot both commit when together they do not.
  IF p_quota_limit IS NOT NULL THEN
    v_grew := current_setting('hm.usage_grew')::bigint;
    IF v_grew > 0 THEN
      outbox := outbox || hm_quota_admit(p_namespace, v_grew, p_quota_limit, p_quota_reject, p_quota_warnings);
    END IF;
  END IF;
END $$;

-- The limits of a namespace in bytes: its own quota's Reject and Warning thresholds, or the system default
-- (Reject at 100 %) when it has no quota. The default a superuser set (SystemSetting) wins over the
-- configured one (p_default_reject); 0 is none.
CREATE FUNCTION hm_quota_limits(p_namespace bigint, p_default_reject bigint,
  OUT limit_bytes bigint, OUT reject_bytes bigint, OUT warning_bytes bigint[])
LANGUAGE sql STABLE AS $$
  WITH d AS (
    SELECT nullif(coalesce(
      (SELECT value::bigint FROM "SystemSetting" WHERE key = 'quota_default_reject_bytes'), p_default_reject, 0), 0) AS bytes
  )
  SELECT q."limitBytes",
    (SELECT q."limitBytes" * l."thresholdPercent" / 100 FROM "QuotaLimit" l
     WHERE l."quotaId" = q.id AND l.type = 'Reject'),
    coalesce((SELECT array_agg(q."limitBytes" * l."thresholdPercent" / 100 ORDER BY l."thresholdPercent")
              FROM "QuotaLimit" l WHERE l."quotaId" = q.id AND l.type = 'Warning'), '{}')
  FROM "NamespaceQuota" q WHERE q."namespaceId" = p_namespace
  UNION ALL
  SELECT d.bytes, d.bytes, '{}'::bigint[] FROM d
  WHERE d.bytes IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "NamespaceQuota" WHERE "namespaceId" = p_namespace)
$$;

-- A namespace's usage: the sum of its repositories' sizes (totals and rows not yet folded).
CREATE FUNCTION hm_namespace_usage(p_namespace bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT (coalesce((SELECT sum(rs."sizeBytes") FROM "RepositorySize" rs
                    JOIN "Repository" r ON r.id = rs."repositoryId" WHERE r."namespaceId" = p_namespace), 0)
        + coalesce((SELECT sum(d.bytes) FROM "RepositorySizeDelta" d
                    JOIN "Repository" r ON r.id = d."repositoryId" WHERE r."namespaceId" = p_namespace), 0))::bigint
$$;

-- Admits a change that grew the namespace by p_grew bytes, in its transaction, against the limits the caller
-- read (hm_quota_limits): refuses it (SQLSTATE HMQ01) past the Reject limit; crossing a Warning limit writes one quota_warning job record (returned like the
-- push's outbox rows). A namespace under its Reject limit again may announce the next rejection.
CREATE FUNCTION hm_quota_admit(p_namespace bigint, p_grew bigint, p_limit bigint, p_reject bigint,
  p_warnings bigint[])
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_usage bigint;
  v_name text;
  v_crossed bigint;
  v_rows jsonb := '[]';
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('quota:' || p_namespace, 0));
  v_usage := hm_namespace_usage(p_namespace);
  IF p_reject IS NOT NULL AND v_usage > p_reject THEN
    RAISE EXCEPTION 'Quota has been exceeded on namespace' USING ERRCODE = 'HMQ01';
  END IF;
  UPDATE "Namespace" SET "quotaErrorNotified" = false WHERE id = p_namespace AND "quotaErrorNotified";
  SELECT max(w) INTO v_crossed FROM unnest(p_warnings) w
  WHERE v_usage - p_grew < w AND w <= v_usage;
  IF v_crossed IS NOT NULL THEN
    SELECT name INTO v_name FROM "Namespace" WHERE id = p_namespace;
    WITH jobs AS (
      INSERT INTO "JobRecord" (queue, name, payload)
      SELECT 'notifications', 'quota_warning',
        jsonb_build_object('eventId', gen_random_uuid()::text, 'namespace', v_name,
                           'usedBytes', v_usage, 'limitBytes', p_limit)
      WHERE hm_event_wanted('notifications', 'quota_warning', NULL)
      RETURNING id, queue, name, payload
    )
    SELECT coalesce(jsonb_agg(jsonb_build_object('id', id::text, 'queue', queue, 'name', name, 'payload', payload)), '[]')
    INTO v_rows FROM jobs;
  END IF;
  RETURN v_rows;
END $$;

