// GET /v2/auth: the Docker token endpoint. Basic credentials or none (anonymous); every requested scope is
// narrowed to what the caller may do, and the answer is a short-lived signed JWT.
import type { Request, Response } from "express";
import type { AuditService } from "../audit/writer.js";
import { CredentialService } from "../access/credentials.js";
import { ANONYMOUS } from "../access/principal.js";
import type { RegistryTokens } from "../access/registry-tokens.js";
import type { GrantService } from "../access/grants.js";
import { parseScope, type RequestedScope } from "../access/grants.js";

const unauthorized = (res: Response, message: string) =>
  res.status(401).json({ errors: [{ code: "UNAUTHORIZED", message, detail: null }] });

export function tokenEndpoint(deps: {
  tokens: RegistryTokens;
  credentials: CredentialService;
  grants: GrantService;
  audit: AuditService;
}) {
  return async (req: Request, res: Response) => {
    res.setHeader("Cache-Control", "no-store");
    const header = req.headers.authorization;
    let principal = ANONYMOUS;
    if (header) {
      const basic = CredentialService.parseBasic(header);
      if (!basic) return unauthorized(res, "Basic credentials are required");
      const p = await deps.credentials.resolve(basic.username, basic.password);
      if (!p) return unauthorized(res, "Invalid Username or Password");
      principal = p;
    }
    const raw = req.query.scope;
    const scopes = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
      .flatMap((s) => String(s).split(" "))
      .map(parseScope)
      .filter((s): s is RequestedScope => s !== null);
    const access = await deps.grants.grant(principal, scopes);
    const token = await deps.tokens.issue(principal, access);
    if (principal.kind !== "anonymous" && scopes.length === 0) {
      deps.audit.recordInBackground({
        kind: "login_success",
        principal,
        ip: req.ip,
        metadata: { type: "v2auth" },
      });
    }
    res.json({
      token,
      access_token: token,
      expires_in: deps.tokens.ttl,
      issued_at: new Date().toISOString(),
    });
  };
}
