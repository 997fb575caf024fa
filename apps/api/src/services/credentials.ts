// Resolves login credentials, as every registry client sends them, to a principal:
// a user and password, `namespace+robot` and its token, `$oauthtoken` + OAuth token, `$app` + app token.
import type { AccountService } from "./accounts.js";
import type { Principal } from "./principal.js";
import type { RobotService } from "./robots.js";

export class CredentialService {
  constructor(
    private readonly accounts: AccountService,
    private readonly robots: RobotService,
  ) {}

  async resolve(username: string, secret: string): Promise<Principal | null> {
    if (!username || !secret || username.length > 512 || secret.length > 4096) return null;
    if (username === "$oauthtoken") return this.accounts.verifyOAuthToken(secret);
    if (username === "$app") return this.accounts.verifyAppToken(secret);
    if (username.includes("+")) return this.robots.verify(username, secret);
    return this.accounts.verifyPassword(username, secret);
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
