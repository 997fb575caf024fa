// The manifest push's database side as prepared statements on the pg pool: a read of what the repository
// already holds, then the whole write as one call of hm_push_manifest (prisma/migrations/*_push_functions).
// A push is the registry's hottest write; through Prisma's interactive transaction it cost a dozen round
// trips (and their CPU) while holding the repository's tag lock (measured with `npm run bench`).
import type pg from "pg";
import type { ParsedManifest } from "@hm/oci";
import { auditRow, idParam, type AuditEntry } from "../audit/writer.js";
import { EVENT_QUEUES, type EventName, type QueuesOf } from "../events/catalogue.js";
import type { OutboxRow } from "../events/unit-of-work.js";
import type { QueueName } from "../jobs/queues.js";

/** A manifest already stored in the repository, with its `quay.expires-after` label if any. */
export interface StoredManifest {
  id: bigint;
  expiresAfter: string | null;
}

export interface PushWrite {
  repositoryId: bigint;
  bytes: Buffer;
  manifest: ParsedManifest;
  /** Labels from the image config, stored when the manifest is new. */
  labels: Record<string, string>;
  tag: string | null;
  expiresAfterSeconds: number | null;
  audit: AuditEntry;
  /** The event to write to the outbox with the push: one row per subscribed queue. */
  event: { name: EventName; payload: unknown } | null;
}

export interface PushResult {
  manifestId: bigint;
  inserted: boolean;
  missingBlob: string | null;
  missingChild: string | null;
  /** The outbox rows the push committed, for the hand-over. */
  outbox: OutboxRow[];
}

const STORED = `
  SELECT m.id, (
    SELECT l.value FROM "Label" l WHERE l."manifestId" = m.id AND l.key = $3 ORDER BY l.id DESC LIMIT 1
  ) AS "expiresAfter"
  FROM "Manifest" m WHERE m."repositoryId" = $1 AND m.digest = $2`;

const PUSH = `
  SELECT manifest_id, inserted, missing_blob, missing_child, outbox
  FROM hm_push_manifest(${Array.from({ length: 27 }, (_, i) => `$${i + 1}`).join(", ")})`;

/** The quota limits a push into the namespace is held to (null: none, or quota management off). */
export type QuotaLimitsOf = (
  namespaceId: bigint,
) => Promise<{ limitBytes: bigint; rejectBytes: bigint | null; warningBytes: bigint[] } | null>;

/** The push function refuses a push past the namespace's Reject limit with this SQLSTATE. */
export const QUOTA_EXCEEDED_SQLSTATE = "HMQ01";

export class ManifestWrites {
  constructor(
    private readonly pool: pg.Pool,
    private readonly quotaLimits: QuotaLimitsOf = async () => null,
    private readonly queuesOf: QueuesOf = (e) => EVENT_QUEUES[e],
  ) {}

  async stored(repositoryId: bigint, digest: string, expiresLabel: string): Promise<StoredManifest | null> {
    const r = await this.pool.query({
      name: "hm_stored_manifest",
      text: STORED,
      values: [repositoryId.toString(), digest, expiresLabel],
    });
    const row = r.rows[0] as { id: string; expiresAfter: string | null } | undefined;
    return row ? { id: BigInt(row.id), expiresAfter: row.expiresAfter } : null;
  }

  async push(w: PushWrite): Promise<PushResult> {
    const m = w.manifest;
    const audit = auditRow(w.audit);
    const limits = audit.namespaceId ? await this.quotaLimits(BigInt(audit.namespaceId)) : null;
    const r = await this.pool.query({
      name: "hm_push_manifest",
      text: PUSH,
      values: [
        w.repositoryId.toString(),
        m.digest,
        m.mediaType,
        w.bytes,
        m.config?.mediaType ?? null,
        m.config?.digest ?? null,
        m.artifactType ?? null,
        m.subject?.digest ?? null,
        String(m.layersSize),
        m.blobDigests,
        m.manifests.map((c) => c.digest),
        JSON.stringify(m.manifests.map((c) => c.platform ?? null)),
        JSON.stringify(w.labels),
        w.tag,
        w.expiresAfterSeconds,
        audit.kind,
        audit.performer,
        idParam(audit.performerId),
        idParam(audit.namespaceId),
        audit.ip,
        JSON.stringify(audit.metadata),
        w.event ? this.queuesOf(w.event.name) : [],
        w.event?.name ?? null,
        w.event ? JSON.stringify(w.event.payload) : null,
        limits?.limitBytes.toString() ?? null,
        limits?.rejectBytes?.toString() ?? null,
        (limits?.warningBytes ?? []).map(String),
      ],
    });
    const row = r.rows[0] as {
      manifest_id: string | null;
      inserted: boolean | null;
      missing_blob: string | null;
      missing_child: string | null;
      /** The push's event rows, and a quota_warning's (which carry their own name and payload). */
      outbox: { id: string; queue: QueueName; name?: EventName; payload?: unknown }[] | null;
    };
    return {
      manifestId: BigInt(row.manifest_id ?? 0),
      inserted: Boolean(row.inserted),
      missingBlob: row.missing_blob,
      missingChild: row.missing_child,
      outbox: (row.outbox ?? []).map((o) => ({
        id: BigInt(o.id),
        queue: o.queue,
        name: o.name ?? w.event!.name,
        payload: o.payload ?? w.event!.payload,
      })),
    };
  }
}
