// Builds the notifications capability: the mailer, the bell, what methods may reach, the admin service and
// the delivery pipeline the workers run.
import type { Config } from "../config/config.js";
import type { Db } from "../infra/database.js";
import type { Logger } from "../infra/logger.js";
import type { Encryptor } from "../access/secrets.js";
import type { RepositoryService } from "../content/repositories.js";
import type pg from "pg";
import type { Dispatcher, UnitOfWork } from "../events/unit-of-work.js";
import { DeliverySql } from "./delivery-sql.js";
import { AccountMail } from "./account-mail.js";
import { Bell } from "./bell.js";
import { DeliveryService } from "./delivery.js";
import { checkTargetUrl, deniedNetworks, post } from "./http-post.js";
import { Mailer } from "./mailer.js";
import type { MethodDeps } from "./methods.js";
import { NotificationService } from "./service.js";

export function createNotifications(d: {
  db: Db;
  repos: RepositoryService;
  uow: UnitOfWork;
  encryptor: Encryptor;
  config: Config;
  log: Logger;
  pool: pg.Pool;
  dispatcher: Dispatcher;
}) {
  const { db, config } = d;
  const mailer = new Mailer(config);
  const bell = new Bell(db);
  const denied = deniedNetworks(config.NOTIFICATION_DENIED_NETWORKS);
  const timeoutMs = Math.max(1, config.NOTIFICATION_HTTP_TIMEOUT_SECONDS * 1000);
  const deps: MethodDeps = {
    config,
    mailer,
    post: (url, body, headers = {}) => post(url, body, headers, { timeoutMs, denied }),
    checkUrl: (url) => void checkTargetUrl(url, denied),
    checkTarget: (namespaceId, target) => bell.checkTarget(namespaceId, target),
    isAuthorizedEmail: async (repositoryId, email) =>
      !!(await db.repositoryAuthorizedEmail.findFirst({ where: { repositoryId, email, confirmed: true } })),
    ring: async (i, target) =>
      bell.ring(await bell.recipients(i.notification.namespaceId, target), {
        kind: i.event,
        eventId: i.eventId,
        metadata: {
          summary: i.summary,
          level: i.level,
          title: i.notification.title,
          repository: `${i.notification.namespace}/${i.notification.name}`,
          link: `/repository/${i.notification.namespace}/${i.notification.name}`,
        },
      }),
  };
  const notifications = new NotificationService(db, d.repos, d.uow, d.encryptor, mailer, config, deps);
  const deliveries = new DeliveryService(
    db,
    d.uow,
    new DeliverySql(d.pool),
    d.dispatcher,
    notifications,
    bell,
    deps,
    config,
    d.log,
  );
  const accountMail = new AccountMail(db, d.uow, mailer, config);
  return { notifications, deliveries, bell, mailer, accountMail };
}
