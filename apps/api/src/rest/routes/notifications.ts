// Repository notifications (Quay's repositorynotification module, seed 004 "Creating notifications by using
// the API"), the per-repository e-mail authorization (repositoryemail) and the bell (the user's
// notifications). Repository admins manage notifications; a user reads and dismisses their own bell.
import { z } from "zod";
import type { NotificationView } from "../../notifications/service.js";
import { ApiError } from "../errors.js";
import { route, type Route } from "../route.js";
import { Empty, formatDate } from "../views.js";

const Notification = z.object({
  uuid: z.string(),
  title: z.string().nullable(),
  event: z.string(),
  method: z.string(),
  config: z.record(z.string(), z.unknown()),
  event_config: z.record(z.string(), z.unknown()),
  number_of_failures: z.number().int(),
  /** Ours: disabled after too many consecutive failures, until reset. */
  disabled: z.boolean(),
});
const Created = Notification.extend({
  /** Shown only in this answer: the webhook's HMAC signing secret. */
  signing_secret: z.string().optional(),
});

const NewNotification = z.strictObject({
  event: z.string().max(100),
  method: z.string().max(100),
  config: z.record(z.string(), z.unknown()),
  eventConfig: z.record(z.string(), z.unknown()).optional(),
  title: z.string().max(255).nullable().optional(),
});

const AuthorizedEmail = z.object({
  email: z.string(),
  repository: z.string(),
  namespace: z.string(),
  confirmed: z.boolean(),
});

const UserNotification = z.object({
  id: z.string(),
  organization: z.string().nullable(),
  kind: z.string(),
  created: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  dismissed: z.boolean(),
  read: z.boolean(),
});

const view = (n: NotificationView) => ({
  uuid: n.uuid,
  title: n.title,
  event: n.event,
  method: n.method,
  config: n.config,
  event_config: n.eventConfig,
  number_of_failures: n.numberOfFailures,
  disabled: n.disabled,
});

const base = "/repository/{repository}/notification";
const tag = "repositorynotification";

const emailView = (r: {
  email: string;
  confirmed: boolean;
  repository: { name: string; namespace: { name: string } };
}) => ({
  email: r.email,
  repository: r.repository.name,
  namespace: r.repository.namespace.name,
  confirmed: r.confirmed,
});

const bellView = (n: {
  uuid: string;
  kind: string;
  createdAt: Date;
  metadata: unknown;
  dismissed: boolean;
  readAt: Date | null;
}) => {
  const metadata = (n.metadata ?? {}) as Record<string, unknown>;
  return {
    id: n.uuid,
    organization: typeof metadata.namespace === "string" ? metadata.namespace : null,
    kind: n.kind,
    created: formatDate(n.createdAt)!,
    metadata,
    dismissed: n.dismissed,
    read: n.readAt !== null,
  };
};

const email = (raw: string) => {
  if (raw.length > 320) throw ApiError.badRequest("Invalid e-mail address");
  return raw;
};

export const notificationRoutes: Route[] = [
  route({
    method: "get",
    path: `${base}/`,
    nickname: "listRepoNotifications",
    tag,
    description: "The repository's notifications, with their failure counts.",
    scope: "repo:admin",
    response: z.object({ notifications: z.array(Notification) }),
    handler: async ({ s, principal, params }) => ({
      notifications: (await s.notifications.list(principal, params.repository!)).map(view),
    }),
  }),
  route({
    method: "post",
    path: `${base}/`,
    nickname: "createRepoNotification",
    tag,
    description:
      "Creates a notification: an event (with its eventConfig filter) and a method with its config. A webhook's answer carries its signing secret, shown only here.",
    scope: "repo:admin",
    body: NewNotification,
    response: Created,
    status: 201,
    handler: async ({ s, principal, params, body, ip }) => {
      const n = await s.notifications.create(principal, params.repository!, body, ip);
      return { ...view(n), ...(n.reveal ?? {}) };
    },
  }),
  route({
    method: "get",
    path: `${base}/{uuid}`,
    nickname: "getRepoNotification",
    tag,
    description: "One notification.",
    scope: "repo:admin",
    response: Notification,
    handler: async ({ s, principal, params }) =>
      view(await s.notifications.get(principal, params.repository!, params.uuid!)),
  }),
  route({
    method: "delete",
    path: `${base}/{uuid}`,
    nickname: "deleteRepoNotification",
    tag,
    description: "Deletes a notification.",
    scope: "repo:admin",
    response: null,
    status: 204,
    handler: async ({ s, principal, params, ip }) => {
      await s.notifications.delete(principal, params.repository!, params.uuid!, ip);
    },
  }),
  route({
    method: "post",
    path: `${base}/{uuid}`,
    nickname: "resetRepositoryNotificationFailures",
    tag,
    description: "Resets the notification's failure count to 0 (and enables it again).",
    scope: "repo:admin",
    response: null,
    status: 204,
    handler: async ({ s, principal, params, ip }) => {
      await s.notifications.reset(principal, params.repository!, params.uuid!, ip);
    },
  }),
  route({
    method: "post",
    path: `${base}/{uuid}/test`,
    nickname: "testRepoNotification",
    tag,
    description: "Queues a sample of the notification's event, delivered like a real one.",
    scope: "repo:admin",
    response: Empty,
    handler: async ({ s, principal, params }) => {
      await s.notifications.test(principal, params.repository!, params.uuid!);
      return {};
    },
  }),
  route({
    method: "get",
    path: "/repository/{repository}/authorizedemail/{email}",
    nickname: "checkRepoEmailAuthorized",
    tag: "repositoryemail",
    description: "Whether an e-mail address may receive the repository's notifications (confirmed).",
    scope: "repo:admin",
    response: AuthorizedEmail,
    handler: async ({ s, principal, params }) =>
      emailView(await s.notifications.authorizedEmail(principal, params.repository!, email(params.email!))),
  }),
  route({
    method: "post",
    path: "/repository/{repository}/authorizedemail/{email}",
    nickname: "sendAuthorizeRepoEmail",
    tag: "repositoryemail",
    description:
      "Sends the address a confirmation link; once followed, it may receive the repository's notifications.",
    scope: "repo:admin",
    response: AuthorizedEmail,
    handler: async ({ s, principal, params, ip }) =>
      emailView(
        await s.notifications.requestEmailAuthorization(
          principal,
          params.repository!,
          email(params.email!),
          ip,
        ),
      ),
  }),
  route({
    method: "get",
    path: "/user/notifications",
    nickname: "listUserNotifications",
    tag: "user",
    description: "The signed-in user's notifications (the bell), newest first, without the dismissed ones.",
    scope: "user:read",
    response: z.object({ notifications: z.array(UserNotification), unread: z.number().int() }),
    handler: async ({ s, principal }) => {
      const r = await s.bell.list(principal);
      return { notifications: r.entries.map(bellView), unread: r.unread };
    },
  }),
  route({
    method: "get",
    path: "/user/notifications/{uuid}",
    nickname: "getUserNotification",
    tag: "user",
    description: "One of the user's notifications.",
    scope: "user:read",
    response: UserNotification,
    handler: async ({ s, principal, params }) => bellView(await s.bell.get(principal, params.uuid!)),
  }),
  route({
    method: "put",
    path: "/user/notifications/{uuid}",
    nickname: "updateUserNotification",
    tag: "user",
    description: "Dismisses a notification (or brings it back); `read` marks it read or unread.",
    scope: "user:admin",
    body: z.strictObject({ dismissed: z.boolean().optional(), read: z.boolean().optional() }),
    response: UserNotification,
    handler: async ({ s, principal, params, body }) =>
      bellView(await s.bell.update(principal, params.uuid!, body)),
  }),
];
