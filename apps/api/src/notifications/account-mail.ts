// The mailer's other letters (mail queue): a team invitation sent to the invitee's address, and the link
// that confirms an account's address (with FEATURE_MAILING a new or changed address starts unconfirmed).
import { siteBase, type Config } from "../config/config.js";
import type { Db } from "../infra/database.js";
import type { UnitOfWork } from "../events/unit-of-work.js";
import { escapeHtml, type Mailer } from "./mailer.js";

export class AccountMail {
  constructor(
    private readonly db: Db,
    private readonly uow: UnitOfWork,
    private readonly mailer: Mailer,
    private readonly config: Config,
  ) {}

  private get base() {
    return siteBase(this.config);
  }

  async teamInvite(inviteId: bigint) {
    const inv = await this.db.teamInvite.findUnique({
      where: { id: inviteId },
      include: { team: { include: { namespace: true } }, user: true },
    });
    if (!inv) return { sent: false, reason: "invitation gone" };
    if (!this.mailer.enabled) return { sent: false, reason: "mailing is off" };
    const to = inv.email ?? inv.user?.email;
    if (!to) return { sent: false, reason: "no address" };
    const inviter = inv.inviterId
      ? await this.db.user.findUnique({ where: { id: inv.inviterId }, select: { username: true } })
      : null;
    const org = inv.team.namespace.name;
    const who = inviter?.username ?? "An administrator";
    const how = inv.user
      ? "Sign in to accept it: it waits under the invitations icon in the masthead."
      : `Create an account with this address (${to}), or change your account's address to it, to accept it.`;
    await this.mailer.send({
      to,
      subject: `Invitation to join team ${inv.team.name} of ${org}`,
      text: `${who} invited you to join team ${inv.team.name} of the organization ${org} on ${this.config.REGISTRY_TITLE}.\n${how}\n${this.base}/\n`,
      html: `<p>${escapeHtml(who)} invited you to join team <b>${escapeHtml(inv.team.name)}</b> of the organization <b>${escapeHtml(org)}</b>.</p><p>${escapeHtml(how)}</p><p><a href="${this.base}/">${escapeHtml(this.config.REGISTRY_TITLE)}</a></p>`,
    });
    return { sent: true };
  }

  async confirmAddress(userId: bigint) {
    const u = await this.db.user.findUnique({ where: { id: userId } });
    if (!u || u.emailVerified || !u.emailCode) return { sent: false, reason: "nothing to confirm" };
    if (!this.mailer.enabled) return { sent: false, reason: "mailing is off" };
    const link = `${this.base}/confirm/email?code=${u.emailCode}`;
    await this.mailer.send({
      to: u.email,
      subject: `Confirm your e-mail address on ${this.config.REGISTRY_TITLE}`,
      text: `Confirm that ${u.email} is the address of ${u.username}: ${link}\n`,
      html: `<p>Confirm that ${escapeHtml(u.email)} is the address of <b>${escapeHtml(u.username)}</b>.</p><p><a href="${link}">Confirm this address</a></p>`,
    });
    return { sent: true };
  }

  /** The link's target; the account's address is confirmed (null: no such code). */
  async confirm(code: string): Promise<{ username: string; email: string } | null> {
    if (!/^[\w-]{10,64}$/.test(code)) return null;
    const u = await this.db.user.findUnique({ where: { emailCode: code } });
    if (!u) return null;
    await this.uow.run(async (w) => {
      await w.tx.user.update({ where: { id: u.id }, data: { emailVerified: true, emailCode: null } });
      w.audit(
        "account_confirm_email",
        { principal: { name: u.username, id: u.id }, namespaceId: u.namespaceId },
        { email: u.email },
      );
    });
    return { username: u.username, email: u.email };
  }
}
