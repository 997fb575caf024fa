// The delivery pipeline's statements, prepared on the pg pool: every push into a watched repository runs
// the fan-out once and a claim and an outcome per notification, and through Prisma these cost more CPU than
// the deliveries themselves (as the job records' statements do).
import type pg from "pg";
import type { OutboxRow } from "../events/unit-of-work.js";

const CANDIDATES = `
  SELECT n.id::text, n.method, n."eventConfig"
  FROM "RepositoryNotification" n
    JOIN "Repository" r ON r.id = n."repositoryId" JOIN "Namespace" ns ON ns.id = r."namespaceId"
  WHERE ns.name = $1 AND r.name = $2 AND n.event = $3 AND n."disabledAt" IS NULL
    AND ($4::uuid IS NULL OR n.uuid = $4::uuid)`;

// The deliveries and their jobs' outbox rows in one statement (atomic without a transaction): a delivery
// that exists already (the same event fanned out again) gets no second job.
const FAN_OUT = `
  WITH d AS (
    INSERT INTO "NotificationDelivery" ("notificationId", "eventId", event, payload, "updatedAt")
    SELECT id, $2, $3, $4::jsonb, now() FROM unnest($1::bigint[]) AS id
    ON CONFLICT ("notificationId", "eventId") DO NOTHING
    RETURNING id, "notificationId")
  INSERT INTO "JobRecord" (queue, name, payload)
  SELECT 'deliveries', n.method, jsonb_build_object('deliveryId', d.id::text)
  FROM d JOIN "RepositoryNotification" n ON n.id = d."notificationId"
  RETURNING id::text, queue, name, payload`;

const CLAIM = `
  UPDATE "NotificationDelivery" d SET status = 'sending', attempts = d.attempts + 1, "updatedAt" = now()
  FROM "RepositoryNotification" n
    JOIN "Repository" r ON r.id = n."repositoryId" JOIN "Namespace" ns ON ns.id = r."namespaceId"
  WHERE d.id = $1 AND n.id = d."notificationId" AND d.status IN ('pending', 'sending')
    AND n."disabledAt" IS NULL
  RETURNING d.id::text, d."eventId", d.event, d.payload, n.id::text AS "notificationId", n.uuid, n.title,
    n.method, n.config, n.sealed, n."repositoryId"::text, r."namespaceId"::text, ns.name AS namespace,
    r.name AS name`;

const DELIVERED = `
  WITH done AS (
    UPDATE "NotificationDelivery" SET status = 'delivered', "deliveredAt" = now(), "updatedAt" = now(),
      "lastStatusCode" = $2, "responseExcerpt" = $3, "lastError" = NULL
    WHERE id = $1 RETURNING "notificationId")
  UPDATE "RepositoryNotification" SET "numberOfFailures" = 0
  WHERE id = (SELECT "notificationId" FROM done) AND "numberOfFailures" > 0`;

export interface Candidate {
  id: string;
  method: string;
  eventConfig: Record<string, unknown>;
}

export interface Claimed {
  id: bigint;
  eventId: string;
  event: string;
  payload: Record<string, unknown>;
  notificationId: bigint;
  uuid: string;
  title: string;
  method: string;
  config: Record<string, unknown>;
  sealed: string | null;
  repositoryId: bigint;
  namespaceId: bigint;
  namespace: string;
  name: string;
}

export class DeliverySql {
  constructor(private readonly pool: pg.Pool) {}

  async candidates(
    namespace: string,
    name: string,
    event: string,
    uuid: string | null,
  ): Promise<Candidate[]> {
    const r = await this.pool.query({
      name: "hm_notify_candidates",
      text: CANDIDATES,
      values: [namespace, name, event, uuid],
    });
    return r.rows;
  }

  async fanOut(ids: string[], eventId: string, event: string, data: unknown): Promise<OutboxRow[]> {
    const r = await this.pool.query({
      name: "hm_notify_fan_out",
      text: FAN_OUT,
      values: [ids, eventId, event, JSON.stringify(data)],
    });
    return r.rows.map((row) => ({ ...row, id: BigInt(row.id) }));
  }

  async claim(id: bigint): Promise<Claimed | null> {
    const r = await this.pool.query({ name: "hm_notify_claim", text: CLAIM, values: [id.toString()] });
    const row = r.rows[0];
    if (!row) return null;
    return {
      ...row,
      id: BigInt(row.id),
      notificationId: BigInt(row.notificationId),
      repositoryId: BigInt(row.repositoryId),
      namespaceId: BigInt(row.namespaceId),
    };
  }

  async delivered(id: bigint, statusCode: number | null, excerpt: string | null): Promise<void> {
    await this.pool.query({
      name: "hm_notify_delivered",
      text: DELIVERED,
      values: [id.toString(), statusCode, excerpt],
    });
  }
}
