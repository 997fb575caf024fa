// Resolves login credentials, as every registry client sends them, to a principal:
// a user and password, `namespace+robot` and its token, `$oauthtoken` + OAuth token, `$app` + app token.
// Password logins are throttled per username (tokens are long random secrets and need no throttle).
import type { AccountService } from "../tenancy/accounts.js";
import { DomainError } from "../common/errors.js";
import type { LoginThrottle } from "./login-throttle.js";
import type { Principal } from "./principal.js";
import type { RobotService } from "../tenancy/robots.js";

export class CredentialService {
  constructor(
    private readonly accounts: AccountService,
    private readonly robots: RobotService,
    private readonly throttle: LoginThrottle,
  ) {}

  async resolve(username: string, secret: string): Promise<Principal | null> {
    if (!username || !secret || username.length > 512 || secret.length > 4096) return null;
    // No stored name or secret holds a NUL, and PostgreSQL refuses one in text (a 500 instead of a 401).
    if (username.includes("\0") || secret.includes("\0")) return null;
    if (username === "$oauthtoken") return this.accounts.verifyOAuthToken(secret);
    if (username === "$app") return this.accounts.verifyAppToken(secret);
    if (username.includes("+")) return this.robots.verify(username, secret);
    if (await this.throttle.retryAfter(username)) return null;
    return this.password(username, secret);
  }

  /** A user's password login (the console's sign-in): throttled, with a clear error when throttled. */
  async passwordLogin(username: string, password: string): Promise<Principal | null> {
    const wait = await this.throttle.retryAfter(username);
    if (wait) {
      throw new DomainError(
        "RATE_LIMITED",
        `Too many failed login attempts; try again in ${wait} second${wait === 1 ? "" : "s"}`,
      );
    }
    return this.password(username, password);
  }

  private async password(username: string, password: string): Promise<Principal | null> {
    const p = await this.accounts.verifyPassword(username, password);
    await (p ? this.throttle.succeeded(username) : this.throttle.failed(username));
    return p;
  }

  /** Decodes an `Authorization: Basic` header value; null when absent or malformed. */
  static parseBasic(header: string | undefined): { username: string; password: string } | null {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
    if (!m) return null;
    const text = Buffer.from(m[1]!, "base64").toString("utf8");
    const i = text.indexOf(":");
    if (i < 0) return null;
    return { username: text.slice(0, i), password: text.slice(i + 1) };
  }
}
