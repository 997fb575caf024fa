// The one mailer (nodemailer over SMTP, Quay's MAIL_* keys): notification e-mails, repository e-mail
// confirmations, team invitations. With FEATURE_MAILING off nothing is sent and callers are told so.
import nodemailer, { type Transporter } from "nodemailer";
import type { Config } from "../config/config.js";
import { DeliveryError } from "./http-post.js";

export interface Mail {
  to: string;
  subject: string;
  html: string;
  text: string;
}

export class Mailer {
  private transport: Transporter | null = null;

  constructor(private readonly config: Config) {}

  get enabled(): boolean {
    return this.config.FEATURE_MAILING;
  }

  async send(mail: Mail): Promise<void> {
    if (!this.enabled) throw new DeliveryError("Mailing is not enabled on this registry (FEATURE_MAILING)");
    const c = this.config;
    this.transport ??= nodemailer.createTransport({
      host: c.MAIL_SERVER,
      port: c.MAIL_PORT,
      secure: c.MAIL_PORT === 465,
      requireTLS: c.MAIL_USE_TLS && c.MAIL_PORT !== 465,
      ignoreTLS: !c.MAIL_USE_TLS,
      auth:
        c.MAIL_USE_AUTH || c.MAIL_USERNAME
          ? { user: c.MAIL_USERNAME ?? "", pass: c.MAIL_PASSWORD ?? "" }
          : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    try {
      await this.transport.sendMail({ from: c.MAIL_DEFAULT_SENDER, ...mail });
    } catch (e) {
      const err = e as { message: string; responseCode?: number };
      throw new DeliveryError(`E-mail not sent: ${err.message}`, err.responseCode ?? null);
    }
  }
}

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
