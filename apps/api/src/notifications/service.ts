// Repository notifications as their admins manage them (Quay's repositorynotification and
// repositoryemail modules): create (the method checks its configuration, secrets are sealed), list with
// failures and recent deliveries, delete, reset (clears the failure count and re-enables), test (a sample of
// the event, delivered like a real one); and the per-repository confirmation of e-mail addresses.
import crypto from "node:crypto";
import { siteBase, type Config } from "../config/config.js";
import type { Db } from "../infra/database.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { Principal } from "../access/principal.js";
import type { Encryptor } from "../access/secrets.js";
import type { RepositoryService, RepositoryWithNamespace } from "../content/repositories.js";
import type { UnitOfWork } from "../events/unit-of-work.js";
import { badInput, DomainError, notFound } from "../common/errors.js";
import {
  checkEventConfig,
  describe,
  EVENT_KINDS,
  isRepoEvent,
  REPO_EVENTS,
  type RepoEvent,
  type Site,
} from "./events.js";
import { DeliveryError } from "./http-post.js";
import { escapeHtml, type Mailer } from "./mailer.js";
import { isMethod, METHODS, METHOD_NAMES, type MethodDeps } from "./methods.js";

export interface NotificationInput {
  event: string;
  method: string;
  config: Record<string, unknown>;
  eventConfig?: Record<string, unknown>;
  title?: string | null;
}

export type NotificationRow = Prisma.RepositoryNotificationGetPayload<object>;

export interface NotificationView {
  uuid: string;
  title: string | null;
  event: string;
  method: string;
  config: Record<string, unknown>;
  eventConfig: Record<string, unknown>;
  numberOfFailures: number;
  disabled: boolean;
  createdAt: Date;
}

const uuidOk = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
const obj = (v: unknown) =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export class NotificationService {
  constructor(
    private readonly db: Db,
    private readonly repos: RepositoryService,
    private readonly uow: UnitOfWork,
    private readonly encryptor: Encryptor,
    private readonly mailer: Mailer,
    private readonly config: Config,
    private readonly deps: MethodDeps,
  ) {}

  get site(): Site {
    return {
      host: this.config.SERVER_HOSTNAME,
      base: siteBase(this.config),
    };
  }

  /** The events and methods a notification may be made of, with their console titles. */
  catalogue() {
    return {
      events: REPO_EVENTS.map((name) => ({ name, title: EVENT_KINDS[name].title })),
      methods: METHOD_NAMES.map((name) => ({ name, title: METHODS[name]!.title })),
      mailing: this.mailer.enabled,
    };
  }

  secrets(n: { sealed: string | null }): Record<string, string> {
    return n.sealed ? (JSON.parse(this.encryptor.decrypt(n.sealed)) as Record<string, string>) : {};
  }

  view(n: NotificationRow): NotificationView {
    const config = obj(n.config);
    const show = METHODS[n.method]?.view;
    return {
      uuid: n.uuid,
      title: n.title || null,
      event: n.event,
      method: n.method,
      config: show ? { ...config, ...show(config, this.secrets(n)) } : config,
      eventConfig: obj(n.eventConfig),
      numberOfFailures: n.numberOfFailures,
      disabled: n.disabledAt !== null,
      createdAt: n.createdAt,
    };
  }

  private admin(p: Principal, repository: string) {
    return this.repos.require(p, repository, "admin");
  }

  async list(p: Principal, repository: string): Promise<NotificationView[]> {
    const repo = await this.admin(p, repository);
    const rows = await this.db.repositoryNotification.findMany({
      where: { repositoryId: repo.id },
      orderBy: { id: "asc" },
    });
    return rows.map((n) => this.view(n));
  }

  private async row(repo: RepositoryWithNamespace, uuid: string): Promise<NotificationRow> {
    const n = uuidOk(uuid)
      ? await this.db.repositoryNotification.findFirst({ where: { uuid, repositoryId: repo.id } })
      : null;
    if (!n) throw notFound("Notification");
    return n;
  }

  async get(p: Principal, repository: string, uuid: string): Promise<NotificationView> {
    return this.view(await this.row(await this.admin(p, repository), uuid));
  }

  /** Creates a notification; `reveal` carries what is shown only now (the webhook's signing secret). */
  async create(p: Principal, repository: string, input: NotificationInput, ip?: string | null) {
    const repo = await this.admin(p, repository);
    if (!isRepoEvent(input.event)) throw badInput(`Unknown event ${String(input.event).slice(0, 100)}`);
    if (!isMethod(input.method)) throw badInput(`Unknown method ${String(input.method).slice(0, 100)}`);
    let eventConfig: Record<string, unknown>;
    try {
      eventConfig = checkEventConfig(input.event, obj(input.eventConfig));
    } catch (e) {
      throw badInput((e as Error).message);
    }
    const prepared = await METHODS[input.method]!.prepare(
      obj(input.config),
      { repositoryId: repo.id, namespaceId: repo.namespaceId },
      this.deps,
    ).catch((e: unknown) => {
      if (e instanceof DeliveryError) throw badInput(e.message);
      throw e;
    });
    const title = (input.title ?? "").trim().slice(0, 255);
    const n = await this.uow.run(async (w) => {
      const n = await w.tx.repositoryNotification.create({
        data: {
          repositoryId: repo.id,
          event: input.event,
          method: input.method,
          title,
          config: prepared.config as Prisma.InputJsonValue,
          eventConfig: eventConfig as Prisma.InputJsonValue,
          sealed: Object.keys(prepared.secrets).length
            ? this.encryptor.encrypt(JSON.stringify(prepared.secrets))
            : null,
        },
      });
      w.auditRepo("add_repo_notification", { principal: p, ip }, repo, {
        notification_id: n.uuid,
        event: n.event,
        method: n.method,
      });
      return n;
    });
    return { ...this.view(n), reveal: prepared.reveal ?? null };
  }

  async delete(p: Principal, repository: string, uuid: string, ip?: string | null): Promise<void> {
    const repo = await this.admin(p, repository);
    const n = await this.row(repo, uuid);
    await this.uow.run(async (w) => {
      await w.tx.repositoryNotification.delete({ where: { id: n.id } });
      w.auditRepo("delete_repo_notification", { principal: p, ip }, repo, {
        notification_id: n.uuid,
        event: n.event,
        method: n.method,
      });
    });
  }

  /** Clears the failure count and enables the notification again. */
  async reset(p: Principal, repository: string, uuid: string, ip?: string | null): Promise<NotificationView> {
    const repo = await this.admin(p, repository);
    const n = await this.row(repo, uuid);
    const updated = await this.uow.run(async (w) => {
      const u = await w.tx.repositoryNotification.update({
        where: { id: n.id },
        data: { numberOfFailures: 0, disabledAt: null },
      });
      w.auditRepo("reset_repo_notification", { principal: p, ip }, repo, {
        notification_id: n.uuid,
        event: n.event,
        method: n.method,
      });
      return u;
    });
    return this.view(updated);
  }

  /** Queues a sample of the notification's event, delivered like a real one. */
  async test(p: Principal, repository: string, uuid: string): Promise<void> {
    const repo = await this.admin(p, repository);
    const n = await this.row(repo, uuid);
    const event = n.event as RepoEvent;
    const { data } = describe(event, EVENT_KINDS[event].sample(repository) as never, this.site);
    await this.uow.run(async (w) => {
      const d = await w.tx.notificationDelivery.create({
        data: {
          notificationId: n.id,
          eventId: `test:${crypto.randomUUID()}`,
          event,
          payload: data as Prisma.InputJsonValue,
        },
      });
      w.enqueue("deliveries", n.method, { deliveryId: d.id.toString() });
    });
  }

  /** The notification's most recent deliveries with their attempts and outcome. */
  async deliveries(p: Principal, repository: string, uuid: string, limit = 20) {
    const n = await this.row(await this.admin(p, repository), uuid);
    return this.db.notificationDelivery.findMany({
      where: { notificationId: n.id },
      orderBy: { id: "desc" },
      take: Math.min(Math.max(limit, 1), 100),
    });
  }

  // E-mail addresses, confirmed once per repository (seed 001 §12.2.2).

  async authorizedEmail(p: Principal, repository: string, email: string) {
    const repo = await this.admin(p, repository);
    const row = await this.db.repositoryAuthorizedEmail.findUnique({
      where: { repositoryId_email: { repositoryId: repo.id, email } },
    });
    if (!row) throw notFound("E-mail address");
    return { ...row, repository: repo };
  }

  /** Sends (again) the confirmation link for `email`; a confirmed address is left as it is. */
  async requestEmailAuthorization(p: Principal, repository: string, email: string, ip?: string | null) {
    const repo = await this.admin(p, repository);
    if (!/^[^\s@]{1,64}@[^\s@]{1,255}$/.test(email)) throw badInput("Invalid e-mail address");
    if (!this.mailer.enabled) throw badInput("Mailing is not enabled on this registry (FEATURE_MAILING)");
    const row = await this.uow.run(async (w) => {
      const row = await w.tx.repositoryAuthorizedEmail.upsert({
        where: { repositoryId_email: { repositoryId: repo.id, email } },
        create: { repositoryId: repo.id, email, code: crypto.randomBytes(24).toString("base64url") },
        update: {},
      });
      w.auditRepo("add_repo_authorized_email", { principal: p, ip }, repo, { email });
      return row;
    });
    if (!row.confirmed) {
      const link = `${this.site.base}/confirm/repository-email?code=${row.code}`;
      const full = `${repo.namespace.name}/${repo.name}`;
      await this.mailer
        .send({
          to: email,
          subject: `Confirm e-mail notifications for ${full}`,
          text: `Someone asked that ${email} receive notifications of ${full} on ${this.config.REGISTRY_TITLE}.\nConfirm: ${link}\n`,
          html: `<p>Someone asked that ${escapeHtml(email)} receive notifications of <b>${escapeHtml(full)}</b>.</p><p><a href="${link}">Confirm this address</a></p>`,
        })
        .catch((e: Error) => {
          throw new DomainError("BAD_USER_INPUT", e.message);
        });
    }
    return { ...row, repository: repo };
  }

  /** The confirmation link's target: the address may now receive the repository's notifications. */
  async confirmEmail(code: string): Promise<{ email: string; repository: string } | null> {
    if (!/^[\w-]{10,64}$/.test(code)) return null;
    const row = await this.db.repositoryAuthorizedEmail.findUnique({
      where: { code },
      include: { repository: { include: { namespace: true } } },
    });
    if (!row) return null;
    if (!row.confirmed)
      await this.uow.run(async (w) => {
        await w.tx.repositoryAuthorizedEmail.update({ where: { id: row.id }, data: { confirmed: true } });
        w.auditRepo("confirm_repo_authorized_email", { principal: { kind: "anonymous" } }, row.repository, {
          email: row.email,
        });
      });
    return { email: row.email, repository: `${row.repository.namespace.name}/${row.repository.name}` };
  }
}
