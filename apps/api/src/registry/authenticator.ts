// /v2 authentication: Bearer JWTs are verified with the public key alone; Basic credentials (for scripts and
// curl) are checked against the database and narrowed by the same GrantService as the token endpoint.
import type { Request } from "express";
import { OciError, type Access, type Action, type Authenticator } from "@hm/oci";
import { CredentialService } from "../access/credentials.js";
import { parsePrincipalRef, principalName, refOf, type PrincipalRef } from "../access/principal.js";
import type { Grant, RegistryTokens } from "../access/registry-tokens.js";
import type { GrantService } from "../access/grants.js";

/** The caller's access on /v2, with a reference to the principal for the few operations that need it. */
export class RegistryAccess implements Access {
  constructor(
    readonly subject: string | null,
    private readonly grants: Grant[],
    /** Who the token was issued to. */
    readonly who: PrincipalRef,
    readonly ip: string | null = null,
  ) {}

  can(repository: string, action: Action): boolean {
    return this.grants.some(
      (g) =>
        g.type === "repository" &&
        g.name === repository &&
        (g.actions.includes(action) || g.actions.includes("*")),
    );
  }
}

export class RegistryAuthenticator implements Authenticator {
  constructor(
    private readonly tokens: RegistryTokens,
    private readonly credentials: CredentialService,
    private readonly grants: GrantService,
    private readonly realm: string,
  ) {}

  async authenticate(req: Request, repository: string | undefined, actions: Action[]): Promise<Access> {
    const header = req.headers.authorization;
    if (!header) return new RegistryAccess(null, [], { kind: "anonymous" }, req.ip);
    if (/^Bearer\s/i.test(header)) {
      const claims = await this.tokens.verify(header.replace(/^Bearer\s+/i, "").trim());
      if (!claims) throw new OciError("UNAUTHORIZED", "invalid or expired token", "invalid_token");
      return new RegistryAccess(claims.sub, claims.access, parsePrincipalRef(claims.ctx), req.ip);
    }
    const basic = CredentialService.parseBasic(header);
    if (!basic) throw new OciError("UNAUTHORIZED", "unsupported authorization scheme");
    const principal = await this.credentials.resolve(basic.username, basic.password);
    if (!principal) throw new OciError("UNAUTHORIZED", "invalid username or password");
    const grants = repository
      ? await this.grants.grant(principal, [{ type: "repository", name: repository, actions }])
      : [];
    return new RegistryAccess(principalName(principal), grants, refOf(principal), req.ip);
  }

  challenge(
    _req: Request,
    scope: string | undefined,
    error?: "insufficient_scope" | "invalid_token",
  ): string {
    let v = `Bearer realm="${this.realm}",service="${this.tokens.service}"`;
    if (scope) v += `,scope="${scope}"`;
    if (error) v += `,error="${error}"`;
    return v;
  }
}
