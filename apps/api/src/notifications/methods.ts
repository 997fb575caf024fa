// How a notification is delivered (Quay's notification method plugins): each method checks its
// configuration when a notification is created (splitting off the secrets, which are stored sealed) and
// sends one event. Message formats follow what Quay sends; Microsoft Teams gets an incoming-webhook card.
import crypto from "node:crypto";
import type { Config } from "../config/config.js";
import { DeliveryError, type PostResult } from "./http-post.js";
import type { Level } from "./events.js";
import { escapeHtml, type Mailer } from "./mailer.js";

export interface Target {
  kind: "user" | "team" | "org";
  name: string;
}

export interface NotificationRef {
  uuid: string;
  title: string;
  repositoryId: bigint;
  namespaceId: bigint;
  namespace: string;
  name: string;
}

export interface SendInput {
  deliveryId: bigint;
  eventId: string;
  event: string;
  data: Record<string, unknown>;
  summary: string;
  level: Level;
  config: Record<string, unknown>;
  secrets: Record<string, string>;
  notification: NotificationRef;
}

export interface MethodDeps {
  config: Config;
  mailer: Mailer;
  post(url: string, body: string, headers?: Record<string, string>): Promise<PostResult>;
  /** Refuses a URL notifications may not reach (form and denied networks). */
  checkUrl(url: string): void;
  /** Throws unless the target exists where the repository lives. */
  checkTarget(namespaceId: bigint, target: Target): Promise<void>;
  isAuthorizedEmail(repositoryId: bigint, email: string): Promise<boolean>;
  /** Puts the event into the bell of every user the target names; returns how many. */
  ring(input: SendInput, target: Target): Promise<number>;
}

export interface Prepared {
  config: Record<string, unknown>;
  secrets: Record<string, string>;
  /** Shown once, in the answer to the creation (the webhook's signing secret). */
  reveal?: Record<string, string>;
}

export interface Outcome {
  statusCode: number | null;
  excerpt: string | null;
}

interface Method {
  title: string;
  prepare(
    config: Record<string, unknown>,
    ctx: { repositoryId: bigint; namespaceId: bigint },
    deps: MethodDeps,
  ): Promise<Prepared>;
  send(input: SendInput, deps: MethodDeps): Promise<Outcome>;
  /** The configuration as the API shows it (secrets left out or masked). */
  view?(config: Record<string, unknown>, secrets: Record<string, string>): Record<string, unknown>;
}

const bad = (message: string) => new DeliveryError(message);
const text = (v: unknown) => (typeof v === "string" ? v.trim() : "");

/** A secret URL shown by its origin only. */
const masked = (url: string | undefined) => {
  try {
    return url ? `${new URL(url).origin}/…` : "";
  } catch {
    return "";
  }
};

function urlSecret(field: string, missing: string): Method["prepare"] {
  return async (config, _ctx, deps) => {
    const url = text(config[field]);
    if (!url) throw bad(missing);
    deps.checkUrl(url);
    return { config: {}, secrets: { [field]: url } };
  };
}

/** What the event was, as name/value lines (Slack fields, the Teams card, e-mails). */
export function facts(data: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [["Repository", String(data.repository ?? "")]];
  const list = (v: unknown) => (Array.isArray(v) ? v.join(", ") : "");
  if (data.updated_tags) out.push(["Tags", list(data.updated_tags)]);
  if (data.docker_tags) out.push(["Tags", list(data.docker_tags)]);
  if (data.tags) out.push(["Tags", list(data.tags)]);
  if (data.build_id) out.push(["Build", String(data.build_id)]);
  if (data.error_message) out.push(["Error", String(data.error_message)]);
  if (data.expiring_in) out.push(["Expiring in", String(data.expiring_in)]);
  const v = data.vulnerability as { id?: string; priority?: string } | undefined;
  if (v) out.push(["Vulnerability", `${v.id} (${v.priority})`]);
  if (data.message) out.push(["Message", String(data.message)]);
  return out;
}

const SLACK_COLORS: Record<Level, string> = {
  info: "#ffffff",
  primary: "#0066ff",
  success: "#5cb85c",
  warning: "#fcf8e3",
  error: "#ff0000",
};
const HIPCHAT_COLORS: Record<Level, string> = {
  info: "gray",
  primary: "purple",
  success: "green",
  warning: "yellow",
  error: "red",
};

function htmlMessage(i: SendInput): string {
  const rows = facts(i.data)
    .map(([k, v]) => `<b>${escapeHtml(k)}:</b> ${escapeHtml(v)}`)
    .join("<br>");
  return `<a href="${escapeHtml(String(i.data.homepage ?? ""))}">${escapeHtml(i.summary)}</a><br>${rows}`;
}

const signature = (secret: string, body: string) =>
  `sha256=${crypto.createHmac("sha256", secret).update(body).digest("hex")}`;

/** Quay's webhook template: `${path.to.value}` replaced with the event data's value (JSON-encoded). */
function applyTemplate(template: string, data: Record<string, unknown>): string {
  return template.replace(/\$\{([\w.]+)\}/g, (_m, path: string) => {
    let v: unknown = data;
    for (const k of path.split("."))
      v = v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
    return v === undefined
      ? "null"
      : typeof v === "string"
        ? JSON.stringify(v).slice(1, -1)
        : JSON.stringify(v);
  });
}

export const METHODS: Record<string, Method> = {
  quay_notification: {
    title: "Quay Notification",
    prepare: async (config, ctx, deps) => {
      const t = config.target as { kind?: unknown; name?: unknown } | undefined;
      const kind = t?.kind;
      const name = text(t?.name);
      if (!t || !name || (kind !== "user" && kind !== "team" && kind !== "org")) throw bad("Missing target");
      await deps.checkTarget(ctx.namespaceId, { kind, name });
      return { config: { target: { kind, name } }, secrets: {} };
    },
    send: async (i, deps) => {
      const n = await deps.ring(i, i.config.target as Target);
      return { statusCode: null, excerpt: `${n} recipient(s)` };
    },
  },
  email: {
    title: "E-mail",
    prepare: async (config, ctx, deps) => {
      const email = text(config.email);
      if (!email) throw bad("Missing e-mail address");
      if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw bad(`${email.slice(0, 200)} is not an e-mail address`);
      if (!deps.mailer.enabled) throw bad("Mailing is not enabled on this registry (FEATURE_MAILING)");
      if (!(await deps.isAuthorizedEmail(ctx.repositoryId, email)))
        throw bad(
          "The specified e-mail address is not authorized to receive notifications for this repository",
        );
      return { config: { email }, secrets: {} };
    },
    send: async (i, deps) => {
      await deps.mailer.send({
        to: String(i.config.email),
        subject: i.notification.title ? `${i.notification.title}: ${i.summary}` : i.summary,
        html: `<p>${htmlMessage(i)}</p>`,
        text: [i.summary, ...facts(i.data).map(([k, v]) => `${k}: ${v}`), String(i.data.homepage ?? "")].join(
          "\n",
        ),
      });
      return { statusCode: null, excerpt: null };
    },
  },
  webhook: {
    title: "Webhook POST",
    prepare: async (config, _ctx, deps) => {
      const url = text(config.url);
      if (!url) throw bad("Missing webhook URL");
      deps.checkUrl(url);
      const template = text(config.template);
      if (template) {
        try {
          JSON.parse(applyTemplate(template, {}));
        } catch {
          throw bad("Invalid POST body template: it must be JSON once its ${…} values are filled in");
        }
      }
      const secret = crypto.randomBytes(32).toString("hex");
      return {
        config: { url, ...(template ? { template } : {}) },
        secrets: { signing_secret: secret },
        reveal: { signing_secret: secret },
      };
    },
    send: async (i, deps) => {
      const template = text(i.config.template);
      const body = template ? applyTemplate(template, i.data) : JSON.stringify(i.data);
      const headers: Record<string, string> = {
        "user-agent": `${deps.config.REGISTRY_TITLE}-Notifications`,
        "x-harbormaster-event": i.event,
        "x-harbormaster-delivery": String(i.deliveryId),
        "x-harbormaster-event-id": i.eventId,
      };
      if (i.secrets.signing_secret)
        headers["x-harbormaster-signature"] = signature(i.secrets.signing_secret, body);
      return deps.post(String(i.config.url), body, headers);
    },
  },
  slack: {
    title: "Slack Notification",
    prepare: urlSecret("url", "Missing Slack Callback URL"),
    view: (_c, s) => ({ url: masked(s.url) }),
    send: (i, deps) =>
      deps.post(
        i.secrets.url!,
        JSON.stringify({
          text: i.summary,
          username: deps.config.REGISTRY_TITLE,
          attachments: [
            {
              fallback: i.summary,
              color: SLACK_COLORS[i.level],
              title: i.summary,
              title_link: i.data.homepage,
              fields: facts(i.data).map(([title, value]) => ({ title, value, short: false })),
              mrkdwn_in: ["text"],
            },
          ],
        }),
      ),
  },
  msteams: {
    title: "Microsoft Teams Notification",
    prepare: urlSecret("url", "Missing Microsoft Teams incoming webhook URL"),
    view: (_c, s) => ({ url: masked(s.url) }),
    send: (i, deps) =>
      deps.post(
        i.secrets.url!,
        JSON.stringify({
          "@type": "MessageCard",
          "@context": "https://schema.org/extensions",
          summary: i.summary,
          themeColor: SLACK_COLORS[i.level].slice(1),
          title: i.summary,
          sections: [
            {
              activityTitle: i.notification.title || i.event,
              facts: facts(i.data).map(([name, value]) => ({ name, value })),
            },
          ],
          potentialAction: [
            {
              "@type": "OpenUri",
              name: "View repository",
              targets: [{ os: "default", uri: String(i.data.homepage ?? "") }],
            },
          ],
        }),
      ),
  },
  flowdock: {
    title: "Flowdock Team Notification",
    prepare: async (config) => {
      const token = text(config.flow_api_token);
      if (!token) throw bad("Missing Flowdock API Token");
      return { config: {}, secrets: { flow_api_token: token } };
    },
    send: (i, deps) =>
      deps.post(
        `${deps.config.FLOWDOCK_API_URL}${encodeURIComponent(i.secrets.flow_api_token!)}`,
        JSON.stringify({
          source: deps.config.REGISTRY_TITLE,
          from_address: deps.config.MAIL_DEFAULT_SENDER,
          subject: i.summary,
          content: htmlMessage(i),
          from_name: i.notification.namespace,
          project: `${i.notification.namespace} ${i.notification.name}`.replace(/[^\w ]/g, "_"),
          tags: [`#${i.event}`],
          link: i.data.homepage,
        }),
      ),
  },
  hipchat: {
    title: "HipChat Room Notification",
    prepare: async (config) => {
      const token = text(config.notification_token);
      const room = text(String(config.room_id ?? ""));
      if (!token) throw bad("Missing Hipchat Room Notification Token");
      if (!room) throw bad("Missing Hipchat Room ID");
      return { config: { room_id: room }, secrets: { notification_token: token } };
    },
    send: (i, deps) =>
      deps.post(
        `${deps.config.HIPCHAT_API_URL}${encodeURIComponent(String(i.config.room_id))}/notification?auth_token=${encodeURIComponent(i.secrets.notification_token!)}`,
        JSON.stringify({
          color: HIPCHAT_COLORS[i.level],
          message: htmlMessage(i),
          notify: i.level === "error" || i.level === "warning",
          message_format: "html",
        }),
      ),
  },
};

export const METHOD_NAMES = Object.keys(METHODS);
export const isMethod = (m: string) => Object.hasOwn(METHODS, m);
