// Who is calling the GraphQL API: a browser session cookie or an OAuth Bearer token.
import crypto from "node:crypto";
import type { Request } from "express";
import type { Db } from "../infra/database.js";
import type { AccountService } from "../tenancy/accounts.js";
import type { Tx, UnitOfWork } from "../events/unit-of-work.js";
import type { CredentialService } from "./credentials.js";
import { DomainError } from "../common/errors.js";
import { ANONYMOUS, type Principal } from "./principal.js";
import { randomToken, sha256hex } from "./secrets.js";

export const SESSION_COOKIE = "hm_session";
const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;

/**
 * The CSRF token of a browser session, for writes that ride on its cookie (REST, the OAuth consent form):
 * derived from the cookie, which a cross-site page cannot read, and revealing nothing of it.
 */
export const csrfToken = (sessionCookie: string) =>
  crypto.createHash("sha256").update(`csrf\0${sessionCookie}`).digest("base64url");

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

export class SessionService {
  constructor(
    private readonly db: Db,
    private readonly accounts: AccountService,
    private readonly credentials: CredentialService,
    private readonly uow: UnitOfWork,
  ) {}

  /** Checks a password login and opens a session. One message for every failure, as it must not hint. */
  async login(username: string, password: string, ip?: string | null) {
    const p = await this.credentials.passwordLogin(username, password);
    if (p?.kind !== "user") {
      await this.uow.run(async (w) =>
        // The name as typed, but PostgreSQL takes no NUL in text: shown as U+FFFD.
        w.audit(
          "login_failure",
          { principal: { name: username.replace(/\0/g, "\uFFFD").slice(0, 255), id: null }, ip },
          {},
        ),
      );
      throw new DomainError("UNAUTHENTICATED", "Invalid username or password");
    }
    const session = await this.uow.run(async (w) => {
      await w.tx.user.update({ where: { id: p.userId }, data: { lastLoginAt: new Date() } });
      w.audit("login_success", { principal: p, namespaceId: p.namespaceId, ip }, {});
      return this.create(p.userId, w.tx);
    });
    return { principal: p, ...session };
  }

  async principalFor(req: Request): Promise<Principal> {
    const auth = req.headers.authorization;
    if (auth && /^Bearer\s/i.test(auth)) {
      return (await this.accounts.verifyOAuthToken(auth.replace(/^Bearer\s+/i, "").trim())) ?? ANONYMOUS;
    }
    const cookie = readCookie(req, SESSION_COOKIE);
    if (!cookie) return ANONYMOUS;
    const s = await this.db.session.findUnique({
      where: { tokenHash: sha256hex(cookie) },
      include: { user: true },
    });
    if (!s || s.expiresAt < new Date() || !s.user.enabled) return ANONYMOUS;
    return this.accounts.toPrincipal(s.user);
  }

  /** Creates a session; returns the opaque cookie value (only its hash is stored). */
  async create(userId: bigint, tx: Tx = this.db): Promise<{ token: string; expiresAt: Date }> {
    const token = randomToken(32);
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    await tx.session.create({ data: { userId, tokenHash: sha256hex(token), expiresAt } });
    return { token, expiresAt };
  }

  async destroy(token: string): Promise<void> {
    await this.db.session.deleteMany({ where: { tokenHash: sha256hex(token) } });
  }
}
