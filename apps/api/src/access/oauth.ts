// OAuth applications owned by organizations, the access tokens they issue (with Quay's scopes, used as
// Bearer tokens on GraphQL and as `$oauthtoken` passwords on /v2), and app-specific tokens for CLI logins.
// Secrets are shown once; only their sha256 is stored.
import type { Db } from "../infra/database.js";
import type { UnitOfWork } from "../events/unit-of-work.js";
import type { NamespaceService } from "../tenancy/namespaces.js";
import { OAUTH_SCOPES, type AuthzService, type OAuthScope } from "./authz.js";
import { badInput, forbidden, notFound } from "../common/errors.js";
import type { Principal } from "./principal.js";
import { randomToken, sha256hex } from "./secrets.js";

const checkTitle = (s: string, what: string) => {
  const t = s.trim();
  if (!t || t.length > 255) throw badInput(`${what} must be 1-255 characters`);
  return t;
};

export class OAuthService {
  constructor(
    private readonly db: Db,
    private readonly authz: AuthzService,
    private readonly namespaces: NamespaceService,
    private readonly uow: UnitOfWork,
  ) {}

  private adminOrg(p: Principal, org: string) {
    return this.namespaces.requireNamespace(p, org, "admin", "organization");
  }

  async listApplications(p: Principal, org: string) {
    const ns = await this.adminOrg(p, org);
    return this.db.oAuthApplication.findMany({ where: { namespaceId: ns.id }, orderBy: { name: "asc" } });
  }

  async createApplication(
    p: Principal,
    org: string,
    input: { name: string; redirectUri?: string | null },
    ip?: string | null,
  ) {
    const ns = await this.adminOrg(p, org);
    const clientSecret = randomToken(30);
    const name = checkTitle(input.name, "Application name");
    const by = { principal: p, namespaceId: ns.id, ip };
    const app = await this.uow.run(async (w) => {
      const app = await w.tx.oAuthApplication.create({
        data: {
          namespaceId: ns.id,
          name,
          clientId: randomToken(15),
          clientSecretHash: sha256hex(clientSecret),
          redirectUri: input.redirectUri ?? "",
        },
      });
      w.audit("create_application", by, { application_name: app.name, client_id: app.clientId });
      return app;
    });
    return { app, clientSecret };
  }

  async deleteApplication(p: Principal, org: string, clientId: string, ip?: string | null) {
    const ns = await this.adminOrg(p, org);
    await this.uow.run(async (w) => {
      const r = await w.tx.oAuthApplication.deleteMany({ where: { namespaceId: ns.id, clientId } });
      if (!r.count) throw notFound("Application");
      w.audit("delete_application", { principal: p, namespaceId: ns.id, ip }, { client_id: clientId });
    });
  }

  /**
   * The signed-in user authorises an application for themselves with the given scopes (Quay's "generate
   * token" flow); the access token is returned once. Scopes cannot exceed what an unscoped login holds.
   */
  async issueToken(p: Principal, clientId: string, scopes: string[], ip?: string | null) {
    const u = this.authz.requireUser(p);
    if (u.scopes) throw forbidden("An OAuth token cannot issue other tokens");
    const bad = scopes.filter((s) => !(OAUTH_SCOPES as readonly string[]).includes(s));
    if (bad.length || !scopes.length)
      throw badInput(
        `Scopes must be some of: ${OAUTH_SCOPES.join(", ")}${bad.length ? ` (unknown: ${bad.join(", ")})` : ""}`,
      );
    if (scopes.includes("super:user") && !u.superuser)
      throw forbidden("Only superusers may grant super:user");
    const app = await this.db.oAuthApplication.findUnique({ where: { clientId } });
    if (!app) throw notFound("Application");
    const token = randomToken(30);
    await this.uow.run(async (w) => {
      await w.tx.oAuthAccessToken.create({
        data: {
          applicationId: app.id,
          userId: u.userId,
          tokenHash: sha256hex(token),
          scopes: scopes as OAuthScope[],
        },
      });
      w.audit(
        "oauth_token_assigned",
        { principal: p, namespaceId: app.namespaceId, ip },
        { application: app.name, scopes },
      );
    });
    return token;
  }

  // ------------------------------------------------------------ app-specific tokens

  async listAppTokens(p: Principal) {
    const u = this.authz.requireUser(p, "user:read");
    return this.db.appToken.findMany({ where: { userId: u.userId }, orderBy: { createdAt: "desc" } });
  }

  async createAppToken(p: Principal, title: string, ip?: string | null) {
    const u = this.authz.requireUser(p, "user:admin");
    const token = randomToken(30);
    const checked = checkTitle(title, "Title");
    const row = await this.uow.run(async (w) => {
      const row = await w.tx.appToken.create({
        data: { userId: u.userId, title: checked, tokenHash: sha256hex(token) },
      });
      w.audit(
        "create_app_specific_token",
        { principal: p, namespaceId: u.namespaceId, ip },
        { app_specific_token_title: row.title },
      );
      return row;
    });
    return { row, token };
  }

  async revokeAppToken(p: Principal, id: bigint, ip?: string | null) {
    const u = this.authz.requireUser(p, "user:admin");
    await this.uow.run(async (w) => {
      const r = await w.tx.appToken.deleteMany({ where: { id, userId: u.userId } });
      if (!r.count) throw notFound("App token");
      w.audit(
        "revoke_app_specific_token",
        { principal: p, namespaceId: u.namespaceId, ip },
        { id: String(id) },
      );
    });
  }
}
