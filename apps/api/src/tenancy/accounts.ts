// Users, organizations and credentials checks (password, robot token, OAuth and app tokens).
import argon2 from "argon2";
import { VerifiedPasswords } from "../access/verified-passwords.js";
import type { Db } from "../infra/database.js";
import type { User } from "../generated/prisma/client.js";
import type { UnitOfWork, Work } from "../events/unit-of-work.js";
import { badInput, conflict } from "../common/errors.js";
import { checkEmail } from "./namespaces.js";
import { NAMESPACE_RE } from "./names.js";
import type { Principal } from "../access/principal.js";
import { randomToken, sha256hex } from "../access/secrets.js";

export interface NewUser {
  username: string;
  email: string;
  password: string | null;
  superuser?: boolean;
}

export class AccountService {
  constructor(
    private readonly db: Db,
    private readonly uow: UnitOfWork,
    private readonly superUsers: readonly string[],
    /** Time-machine window of new namespaces (DEFAULT_TAG_EXPIRATION), in seconds. */
    readonly defaultTimeMachineSeconds = 14 * 86400,
    readonly verifiedPasswords = new VerifiedPasswords(),
    /** FEATURE_MAILING: a new or changed address waits for the link e-mailed to it. */
    readonly confirmEmails = false,
  ) {}

  /** The fields of a new or changed address, and the event that mails its confirmation link. */
  unconfirmed(w: Work, userId: bigint): { emailVerified: boolean; emailCode: string | null } {
    if (!this.confirmEmails) return { emailVerified: true, emailCode: null };
    w.emit("user_email_unconfirmed", { userId: String(userId) }, null);
    return { emailVerified: false, emailCode: randomToken(24) };
  }

  validateNamespaceName(name: string): void {
    if (!NAMESPACE_RE.test(name)) {
      throw badInput(
        "Name must be 2-255 characters of lowercase letters, digits, '.', '_' or '-', starting and ending with a letter or digit",
      );
    }
  }

  /** Creates a user and their namespace; `record` adds the caller's audit entries to the same transaction. */
  async createUser(u: NewUser, record?: (w: Work, user: User) => void) {
    this.validateNamespaceName(u.username);
    const email = checkEmail(u.email);
    if (u.password !== null && u.password.length < 8)
      throw badInput("Password must be at least 8 characters");
    if (await this.db.namespace.findUnique({ where: { name: u.username } }))
      throw conflict("The username already exists");
    if (await this.db.user.findUnique({ where: { email } }))
      throw conflict("The e-mail address is already in use");
    const passwordHash =
      u.password === null ? null : await argon2.hash(u.password, { type: argon2.argon2id });
    return this.uow.run(async (w) => {
      const user = await w.tx.user.create({
        data: {
          username: u.username,
          email,
          passwordHash,
          superuser: u.superuser ?? false,
          namespace: {
            create: {
              name: u.username,
              kind: "user",
              email,
              timeMachineSeconds: this.defaultTimeMachineSeconds,
            },
          },
        },
      });
      record?.(w, user);
      // Only accounts that sign in with a password confirm their address (not the initial superuser's placeholder).
      if (this.confirmEmails && passwordHash !== null && !u.superuser)
        return w.tx.user.update({ where: { id: user.id }, data: this.unconfirmed(w, user.id) });
      return user;
    });
  }

  async ensureInitialSuperuser(username: string | undefined, password: string | undefined): Promise<boolean> {
    if (!username || !password) return false;
    if (await this.db.user.findUnique({ where: { username } })) return false;
    try {
      await this.createUser({ username, email: `${username}@localhost.invalid`, password, superuser: true });
      return true;
    } catch (e) {
      if ((e as { code?: string }).code === "CONFLICT") return false; // another process won the race
      throw e;
    }
  }

  isSuperuser(user: { username: string; superuser: boolean }): boolean {
    return user.superuser || this.superUsers.includes(user.username);
  }

  toPrincipal(
    user: { id: bigint; username: string; namespaceId: bigint; superuser: boolean },
    scopes?: string[],
  ): Principal {
    return {
      kind: "user",
      userId: user.id,
      username: user.username,
      namespaceId: user.namespaceId,
      superuser: this.isSuperuser(user),
      scopes,
    };
  }

  /** Checks a username and password; null on any mismatch (no hint which part was wrong). */
  async verifyPassword(username: string, password: string): Promise<Principal | null> {
    // No stored name or password holds a NUL, and PostgreSQL refuses one in text.
    if (username.includes("\0") || password.includes("\0")) return null;
    const user = await this.db.user.findUnique({ where: { username } });
    if (!user?.passwordHash || !user.enabled) return null;
    if (!this.verifiedPasswords.known(user.id, user.passwordHash, password)) {
      if (!(await argon2.verify(user.passwordHash, password))) return null;
      this.verifiedPasswords.remember(user.id, user.passwordHash, password);
    }
    return this.toPrincipal(user);
  }

  async verifyOAuthToken(token: string): Promise<Principal | null> {
    const t = await this.db.oAuthAccessToken.findUnique({
      where: { tokenHash: sha256hex(token) },
      include: { user: true },
    });
    if (!t || !t.user.enabled || (t.expiresAt && t.expiresAt < new Date())) return null;
    return this.toPrincipal(t.user, t.scopes);
  }

  async verifyAppToken(token: string): Promise<Principal | null> {
    const t = await this.db.appToken.findUnique({
      where: { tokenHash: sha256hex(token) },
      include: { user: true },
    });
    if (!t || !t.user.enabled || (t.expiresAt && t.expiresAt < new Date())) return null;
    await this.db.appToken.update({ where: { id: t.id }, data: { lastUsedAt: new Date() } });
    return this.toPrincipal(t.user);
  }
}
