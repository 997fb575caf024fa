// From event to receiver. An event job (notifications queue) fans the event out: one NotificationDelivery
// row per notification that wants it, unique by (notification, event id), and one deliveries job each, in
// one unit of work, so a fan-out run twice delivers nothing twice and a Redis loss loses nothing (the job
// records are recovered). A delivery job sends once per attempt; a failure counts against the notification
// (consecutive failures disable it at NOTIFICATION_FAILURE_LIMIT) and Bull retries with backoff. Receivers
// may see a delivery again after a crash mid-request: X-Harbormaster-Delivery names it, so they can tell.
import type { Config } from "../config/config.js";
import type { Db } from "../infra/database.js";
import type { Logger } from "../infra/logger.js";
import type { EventName, EventPayloads } from "../events/catalogue.js";
import type { Dispatcher, UnitOfWork } from "../events/unit-of-work.js";
import type { DeliverySql } from "./delivery-sql.js";
import type { Bell } from "./bell.js";
import { describe, EVENT_KINDS, isRepoEvent, splitRepo, type RepoEvent, type Site } from "./events.js";
import { DeliveryError } from "./http-post.js";
import { METHODS, type MethodDeps, type SendInput } from "./methods.js";
import type { NotificationService } from "./service.js";

const truncate = (s: string | null | undefined, n: number) => (s == null ? null : s.slice(0, n));

export class DeliveryService {
  constructor(
    private readonly db: Db,
    private readonly uow: UnitOfWork,
    private readonly sql: DeliverySql,
    private readonly dispatcher: Dispatcher,
    private readonly notifications: NotificationService,
    private readonly bell: Bell,
    private readonly deps: MethodDeps,
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  private get site(): Site {
    return this.notifications.site;
  }

  /** The notifications queue's handler for an event: deliveries for a repository event, the bell for a namespace one. */
  async fanOut(event: EventName, payload: Record<string, unknown>) {
    const eventId = String(payload.eventId ?? "");
    if (event === "quota_warning" || event === "quota_error")
      return this.namespaceEvent(event, payload as unknown as EventPayloads["quota_error"], eventId);
    if (!isRepoEvent(event)) return { event, delivered: 0 };
    const [namespace, name] = splitRepo(String(payload.repository ?? ""));
    const kind = EVENT_KINDS[event];
    const target = (payload as { notification?: string }).notification;
    // One read: the repository's enabled notifications for the event (none when the repository is gone).
    const candidates = await this.sql.candidates(namespace, name, event, target ?? null);
    const wanted = candidates.filter((n) => !kind.wants || kind.wants(n.eventConfig, payload as never));
    if (!wanted.length) return { event, delivered: 0 };
    const { data } = describe(event, payload as never, this.site);
    const rows = await this.sql.fanOut(
      wanted.map((n) => n.id),
      eventId,
      event,
      data,
    );
    await this.dispatcher.handOver(rows);
    return { event, delivered: rows.length };
  }

  /** Quota crossings ring the namespace admins' bells ("testorg quota has been exceeded"). */
  private async namespaceEvent(
    event: "quota_warning" | "quota_error",
    p: EventPayloads["quota_error"],
    eventId: string,
  ) {
    const ns = await this.db.namespace.findUnique({ where: { name: p.namespace } });
    if (!ns) return { event, delivered: 0 };
    const summary =
      event === "quota_error"
        ? `${p.namespace} quota has been exceeded`
        : `${p.namespace} quota has reached a warning threshold`;
    const n = await this.bell.ring(await this.bell.admins(ns.id), {
      kind: event,
      eventId,
      metadata: {
        summary,
        level: event === "quota_error" ? "error" : "warning",
        namespace: p.namespace,
        used_bytes: p.usedBytes,
        limit_bytes: p.limitBytes,
        link: `/${ns.kind === "organization" ? "organization" : "user"}/${p.namespace}/settings`,
      },
    });
    return { event, delivered: n };
  }

  /** The deliveries queue's handler: one attempt at one delivery. */
  async deliver(deliveryId: bigint, attempt: { final: boolean }) {
    // One statement claims the attempt (marked before sending: a crash mid-request leaves it on record) and
    // reads what sending needs.
    const d = await this.sql.claim(deliveryId);
    if (!d) return this.unclaimed(deliveryId);
    const method = METHODS[d.method];
    if (!method) throw new Error(`unknown method ${d.method}`);
    const event = d.event as RepoEvent;
    const data = d.payload;
    const input: SendInput = {
      deliveryId: d.id,
      eventId: d.eventId,
      event: d.event,
      data,
      summary: isRepoEvent(event) ? EVENT_KINDS[event].summary(data) : event,
      level: isRepoEvent(event) ? EVENT_KINDS[event].level(data) : "info",
      config: d.config,
      secrets: this.notifications.secrets(d),
      notification: {
        uuid: d.uuid,
        title: d.title,
        repositoryId: d.repositoryId,
        namespaceId: d.namespaceId,
        namespace: d.namespace,
        name: d.name,
      },
    };
    try {
      const out = await method.send(input, this.deps);
      // Delivered, and the notification's run of failures ends: one statement.
      await this.sql.delivered(d.id, out.statusCode, truncate(out.excerpt, 1024));
      return { status: "delivered", statusCode: out.statusCode };
    } catch (e) {
      const err = e instanceof DeliveryError ? e : new DeliveryError(String((e as Error).message ?? e));
      const [counted] = await this.db.$queryRaw<{ failures: number; disabled: boolean }[]>`
        UPDATE "RepositoryNotification" SET "numberOfFailures" = "numberOfFailures" + 1,
          "disabledAt" = CASE WHEN "numberOfFailures" + 1 >= ${this.config.NOTIFICATION_FAILURE_LIMIT}
                         THEN coalesce("disabledAt", now()) ELSE "disabledAt" END
        WHERE id = ${d.notificationId} RETURNING "numberOfFailures" AS failures, "disabledAt" IS NOT NULL AS disabled`;
      const disabled = counted?.disabled ?? false;
      const final = attempt.final || disabled;
      await this.db.notificationDelivery.update({
        where: { id: d.id },
        data: {
          status: final ? "failed" : "pending",
          lastError: truncate(err.message, 500),
          lastStatusCode: err.statusCode,
          responseExcerpt: truncate(err.excerpt, 1024),
        },
      });
      if (disabled) {
        this.log.warn(
          { notification: d.uuid, failures: counted?.failures },
          "notification disabled after consecutive failures",
        );
        return { status: "failed", disabled: true, error: err.message };
      }
      throw err;
    }
  }

  /** Why a delivery could not be claimed: gone, finished already, or its notification disabled (skipped). */
  private async unclaimed(deliveryId: bigint) {
    const d = await this.db.notificationDelivery.findUnique({
      where: { id: deliveryId },
      select: { status: true },
    });
    if (!d) return { status: "gone" };
    if (d.status !== "pending" && d.status !== "sending") return { status: d.status };
    await this.db.notificationDelivery.update({
      where: { id: deliveryId },
      data: { status: "skipped", lastError: "The notification is disabled" },
    });
    return { status: "skipped" };
  }

  /**
   * Tags about to expire, for each image-expiry notification with a number of days: each tag reported once
   * per notification (the report rows and the event commit together).
   */
  async expiryScan() {
    const due = await this.db.repositoryNotification.findMany({
      where: { event: "repo_image_expiry", disabledAt: null },
      include: { repository: { include: { namespace: true } } },
    });
    let reported = 0;
    for (const n of due) {
      const days = Number((n.eventConfig as { days?: unknown }).days);
      if (!(days > 0)) continue;
      await this.uow.run(async (w) => {
        const tags = await w.tx.$queryRaw<{ name: string }[]>`
          WITH fresh AS (
            INSERT INTO "NotificationTagReport" ("notificationId", "tagId")
            SELECT ${n.id}, t.id FROM "Tag" t
            WHERE t."repositoryId" = ${n.repositoryId} AND t.expires AND NOT t.hidden
              AND t."lifetimeEnd" > now() AND t."lifetimeEnd" <= now() + make_interval(days => ${days}::int)
            ON CONFLICT DO NOTHING RETURNING "tagId")
          SELECT DISTINCT t.name FROM "Tag" t JOIN fresh f ON f."tagId" = t.id ORDER BY t.name`;
        if (!tags.length) return;
        reported += tags.length;
        const repository = `${n.repository.namespace.name}/${n.repository.name}`;
        w.emit(
          "repo_image_expiry",
          {
            repository,
            namespace: n.repository.namespace.name,
            tags: tags.map((t) => t.name),
            notification: n.uuid,
            expiringInDays: days,
          },
          n.repositoryId,
        );
      });
    }
    return { notifications: due.length, tagsReported: reported };
  }
}
