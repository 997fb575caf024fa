// User accounts as their owners and superusers manage them: sign-up, password and e-mail changes, account
// deletion, the namespace's time-machine window, entity search for pickers, and the superuser panel.
import argon2 from "argon2";
import type { Db } from "../infra/database.js";
import type { AccountService } from "./accounts.js";
import type { UnitOfWork } from "../events/unit-of-work.js";
import type { AuthzService } from "../access/authz.js";
import { badInput, DomainError, forbidden, notFound } from "../common/errors.js";
import { checkEmail, purgeNamespace, type NamespaceService } from "./namespaces.js";
import { toPage, decodeCursor, pageSize, type PageArgs } from "../common/paging.js";
import type { Principal } from "../access/principal.js";
import { randomToken } from "../access/secrets.js";
import { orgsWhereLastAdmin } from "./teams.js";
import { robotFullName } from "./names.js";

const MIN_PASSWORD = 8;
const checkPassword = (pw: string) => {
  if (pw.length < MIN_PASSWORD) throw badInput(`Password must be at least ${MIN_PASSWORD} characters`);
  if (pw.length > 1024) throw badInput("Password is too long");
};

export class UserService {
  constructor(
    private readonly db: Db,
    private readonly accounts: AccountService,
    private readonly namespaces: NamespaceService,
    private readonly authz: AuthzService,
    private readonly uow: UnitOfWork,
    private readonly userCreation: boolean,
  ) {}

  async get(userId: bigint) {
    const u = await this.db.user.findUnique({ where: { id: userId }, include: { namespace: true } });
    if (!u) throw notFound("User");
    return u;
  }

  /** A user by name (robots and organizations are not users). */
  async byName(username: string) {
    const u = await this.db.user.findUnique({ where: { username }, include: { namespace: true } });
    if (!u) throw notFound(`User ${username}`);
    return u;
  }

  async signUp(input: { username: string; email: string; password: string }, ip?: string | null) {
    if (!this.userCreation) throw forbidden("User creation is disabled on this registry");
    checkPassword(input.password);
    return this.accounts.createUser(input, (w, user) =>
      w.audit(
        "user_create",
        { principal: { name: user.username, id: user.id }, namespaceId: user.namespaceId, ip },
        { username: user.username },
      ),
    );
  }

  async changePassword(p: Principal, current: string, next: string, ip?: string | null) {
    const u = this.authz.requireUser(p, "user:admin");
    checkPassword(next);
    if (!(await this.accounts.verifyPassword(u.username, current)))
      throw badInput("The current password is not correct");
    const passwordHash = await argon2.hash(next, { type: argon2.argon2id });
    await this.uow.run(async (w) => {
      await w.tx.user.update({ where: { id: u.userId }, data: { passwordHash } });
      w.audit("account_change_password", { principal: p, namespaceId: u.namespaceId, ip }, {});
    });
  }

  async changeEmail(p: Principal, email: string, ip?: string | null) {
    const u = this.authz.requireUser(p, "user:admin");
    const e = checkEmail(email);
    await this.namespaces.ensureEmailFree(e, u.namespaceId);
    if (await this.db.user.findFirst({ where: { email: e, NOT: { id: u.userId } } }))
      throw new DomainError("CONFLICT", "The e-mail address is already in use");
    await this.uow.run(async (w) => {
      await w.tx.user.update({
        where: { id: u.userId },
        data: { email: e, namespace: { update: { email: e } }, ...this.accounts.unconfirmed(w, u.userId) },
      });
      w.audit("account_change_email", { principal: p, namespaceId: u.namespaceId, ip }, { email: e });
    });
    return this.get(u.userId);
  }

  async setTimeMachine(p: Principal, window: string, ip?: string | null) {
    const u = this.authz.requireUser(p, "user:admin");
    const seconds = this.namespaces.parseTimeMachine(window);
    await this.uow.run(async (w) => {
      await w.tx.namespace.update({ where: { id: u.namespaceId }, data: { timeMachineSeconds: seconds } });
      w.audit(
        "change_namespace_tag_expiration",
        { principal: p, namespaceId: u.namespaceId, ip },
        { namespace: u.username, tag_expiration: window },
      );
    });
    return this.get(u.userId);
  }

  /** Deletes a user and their namespace; refused while they are the last admin of an organization. */
  private async remove(p: Principal, user: { id: bigint; username: string }, ip?: string | null) {
    await this.uow.run(async (w) => {
      const { tx } = w;
      const orgs = await orgsWhereLastAdmin(tx, user.id);
      if (orgs.length) {
        throw new DomainError(
          "CONFLICT",
          `Cannot delete this user: they are the last admin of ${orgs.join(", ")}. Add another admin or delete the organization first.`,
        );
      }
      const { namespaceId } = await tx.user.findUniqueOrThrow({ where: { id: user.id } });
      await purgeNamespace(tx, namespaceId);
      w.audit("user_delete", { principal: p, ip }, { username: user.username });
    });
  }

  async deleteAccount(p: Principal, confirm: string, ip?: string | null) {
    const u = this.authz.requireUser(p, "user:admin");
    if (confirm !== u.username) throw badInput("Type your username to confirm deleting your account");
    await this.remove(p, { id: u.userId, username: u.username }, ip);
  }

  /** Users, robots (of `namespace`) and teams (of `namespace`) whose name starts with `prefix`, for pickers. */
  async searchEntities(p: Principal, prefix: string, namespace?: string | null) {
    this.authz.requireUser(p);
    const q = prefix.trim().toLowerCase();
    if (!q) return { users: [], robots: [], teams: [] };
    const ns = namespace ? await this.db.namespace.findUnique({ where: { name: namespace } }) : null;
    const mayViewNs = ns ? await this.authz.namespaceAllows(p, ns.id, "view") : false;
    const [users, robots, teams] = await Promise.all([
      this.db.user.findMany({
        where: { username: { startsWith: q }, enabled: true },
        orderBy: { username: "asc" },
        take: 10,
      }),
      mayViewNs
        ? this.db.robot.findMany({
            where: { namespaceId: ns!.id, name: { startsWith: q.replace(/^.*\+/, "") } },
            orderBy: { name: "asc" },
            take: 10,
          })
        : [],
      mayViewNs && ns!.kind === "organization"
        ? this.db.team.findMany({ where: { namespaceId: ns!.id, name: { startsWith: q } }, take: 10 })
        : [],
    ]);
    return { users, robots: robots.map((r) => ({ ...r, fullName: robotFullName(ns!.name, r.name) })), teams };
  }

  // ------------------------------------------------------------ superuser panel

  async list(p: Principal, args: PageArgs & { filter?: string | null; enabledOnly?: boolean | null }) {
    this.authz.requireSuperuser(p);
    const n = pageSize(args);
    const after = decodeCursor(args.after)?.[0];
    const base = {
      ...(args.filter ? { username: { contains: args.filter.toLowerCase() } } : {}),
      ...(args.enabledOnly ? { enabled: true } : {}),
    };
    const where = { ...base, ...(after ? { AND: [{ username: { gt: after } }] } : {}) };
    const [rows, total] = await Promise.all([
      this.db.user.findMany({ where, orderBy: { username: "asc" }, take: n + 1 }),
      this.db.user.count({ where: base }),
    ]);
    return toPage(rows, n, (u) => [u.username], total);
  }

  /** A user as the superuser panel shows it. */
  async getBySuperuser(p: Principal, username: string) {
    this.authz.requireSuperuser(p);
    return this.target(username);
  }

  async setEmailBySuperuser(p: Principal, username: string, email: string, ip?: string | null) {
    this.authz.requireSuperuser(p);
    const u = await this.target(username);
    const e = checkEmail(email);
    await this.namespaces.ensureEmailFree(e, u.namespaceId);
    if (await this.db.user.findFirst({ where: { email: e, NOT: { id: u.id } } }))
      throw new DomainError("CONFLICT", "The e-mail address is already in use");
    return this.uow.run(async (w) => {
      const updated = await w.tx.user.update({
        where: { id: u.id },
        data: { email: e, namespace: { update: { email: e } } },
      });
      w.audit("user_change_email", { principal: p, namespaceId: u.namespaceId, ip }, { username, email: e });
      return updated;
    });
  }

  /** Creates a user with a generated password, which is returned once. */
  async createBySuperuser(p: Principal, input: { username: string; email: string }, ip?: string | null) {
    this.authz.requireSuperuser(p);
    const password = randomToken(18);
    const user = await this.accounts.createUser({ ...input, password }, (w, created) =>
      w.audit("user_create", { principal: p, ip }, { username: created.username }),
    );
    return { user, password };
  }

  private async target(username: string) {
    const u = await this.db.user.findUnique({ where: { username } });
    if (!u) throw notFound(`User ${username}`);
    return u;
  }

  async setPasswordBySuperuser(p: Principal, username: string, password: string, ip?: string | null) {
    this.authz.requireSuperuser(p);
    checkPassword(password);
    const u = await this.target(username);
    const passwordHash = await argon2.hash(password, { type: argon2.argon2id });
    await this.uow.run(async (w) => {
      await w.tx.user.update({ where: { id: u.id }, data: { passwordHash } });
      await w.tx.session.deleteMany({ where: { userId: u.id } });
      w.audit("user_change_password", { principal: p, ip }, { username });
    });
  }

  async setEnabled(p: Principal, username: string, enabled: boolean, ip?: string | null) {
    const su = this.authz.requireSuperuser(p);
    const u = await this.target(username);
    if (u.id === su.userId && !enabled) throw badInput("You cannot disable your own account");
    return this.uow.run(async (w) => {
      const updated = await w.tx.user.update({ where: { id: u.id }, data: { enabled } });
      if (!enabled) await w.tx.session.deleteMany({ where: { userId: u.id } });
      w.audit(enabled ? "user_enable" : "user_disable", { principal: p, ip }, { username });
      return updated;
    });
  }

  async deleteBySuperuser(p: Principal, username: string, ip?: string | null) {
    const su = this.authz.requireSuperuser(p);
    const u = await this.target(username);
    if (u.id === su.userId) throw badInput("Delete your own account from your account settings");
    await this.remove(p, u, ip);
  }
}
