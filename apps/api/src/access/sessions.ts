// Who is calling the GraphQL API: a browser session cookie or an OAuth Bearer token.
import type { Request } from "express";
import type { Db } from "../infra/database.js";
import type { AccountService } from "../tenancy/accounts.js";
import type { AuditService } from "../audit/writer.js";
import type { CredentialService } from "./credentials.js";
import { DomainError } from "../common/errors.js";
import { ANONYMOUS, type Principal } from "./principal.js";
import { randomToken, sha256hex } from "./secrets.js";

export const SESSION_COOKIE = "hm_session";
const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;

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
    private readonly audit: AuditService,
  ) {}

  /** Checks a password login and opens a session. One message for every failure, as it must not hint. */
  async login(username: string, password: string, ip?: string | null) {
    const p = await this.credentials.passwordLogin(username, password);
    if (p?.kind !== "user") {
      await this.audit.record({
        kind: "login_failure",
        principal: { name: username.slice(0, 255), id: null },
        ip,
      });
      throw new DomainError("UNAUTHENTICATED", "Invalid username or password");
    }
    await this.db.user.update({ where: { id: p.userId }, data: { lastLoginAt: new Date() } });
    await this.audit.record({ kind: "login_success", principal: p, namespaceId: p.namespaceId, ip });
    return { principal: p, ...(await this.create(p.userId)) };
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
  async create(userId: bigint): Promise<{ token: string; expiresAt: Date }> {
    const token = randomToken(32);
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    await this.db.session.create({ data: { userId, tokenHash: sha256hex(token), expiresAt } });
    return { token, expiresAt };
  }

  async destroy(token: string): Promise<void> {
    await this.db.session.deleteMany({ where: { tokenHash: sha256hex(token) } });
  }
}
