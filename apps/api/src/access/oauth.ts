// OAuth applications owned by organizations, the access tokens they issue (with Quay's scopes, used as
// Bearer tokens on GraphQL and as `$oauthtoken` passwords on /v2), and app-specific tokens for CLI logins.
// Secrets are shown once; only their sha256 is stored.
import type { Db } from "../infra/database.js";
import type { UnitOfWork } from "../events/unit-of-work.js";
import type { NamespaceService } from "../tenancy/namespaces.js";
import { OAUTH_SCOPES, type AuthzService } from "./authz.js";
import { badInput, forbidden, notFound } from "../common/errors.js";
import type { Principal } from "./principal.js";
import { randomToken, safeEqual, sha256hex } from "./secrets.js";
import { EMAIL_RE } from "../tenancy/namespaces.js";

const checkTitle = (s: string, what: string) => {
  const t = s.trim();
  if (!t || t.length > 255) throw badInput(`${what} must be 1-255 characters`);
  return t;
};

const CODE_TTL_MS = 10 * 60 * 1000;

/**
 * Quay's redirect rule: the registered URI's scheme and host exactly, a path under its path, and nothing that
 * could climb out of it (`..`, `@`, further escapes).
 */
export function redirectAllowed(registered: string, asked: string): boolean {
  let a: URL, b: URL;
  try {
    a = new URL(registered);
    b = new URL(asked);
  } catch {
    return false;
  }
  if (a.protocol !== b.protocol || a.host !== b.host || b.username || b.password) return false;
  if (!b.pathname.startsWith(a.pathname)) return false;
  const rest = b.pathname.slice(a.pathname.length);
  let path: string;
  try {
    path = decodeURIComponent(b.pathname);
  } catch {
    return false;
  }
  return !/%|\.\.|@/.test(path) && !rest.includes("%");
}

export interface ApplicationInput {
  name: string;
  redirectUri?: string | null;
  applicationUri?: string | null;
  description?: string | null;
  avatarEmail?: string | null;
}

const checkUri = (uri: string | null | undefined, what: string) => {
  const u = (uri ?? "").trim();
  if (u && (u.length > 2048 || !/^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i.test(u)))
    throw badInput(`${what} must be an absolute URI such as https://example.com/callback`);
  return u;
};

function checkApplication(input: ApplicationInput) {
  const description = (input.description ?? "").trim();
  if (description.length > 4096) throw badInput("Description is too long");
  const email = input.avatarEmail?.trim() || null;
  if (email && !EMAIL_RE.test(email)) throw badInput("Avatar e-mail is not a valid e-mail address");
  return {
    name: checkTitle(input.name, "Application name"),
    redirectUri: checkUri(input.redirectUri, "Redirect URI"),
    applicationUri: checkUri(input.applicationUri, "Application URI"),
    description,
    avatarEmail: email,
  };
}

const appInput = (a: ApplicationInput): ApplicationInput => ({
  name: a.name,
  redirectUri: a.redirectUri,
  applicationUri: a.applicationUri,
  description: a.description,
  avatarEmail: a.avatarEmail,
});

const stripUndefined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

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

  async getApplication(p: Principal, org: string, clientId: string) {
    const ns = await this.adminOrg(p, org);
    const app = await this.db.oAuthApplication.findFirst({ where: { namespaceId: ns.id, clientId } });
    if (!app) throw notFound("Application");
    return app;
  }

  /** What anyone may learn of an application (its consent page): name, description, URI, organization. */
  async publicApplication(clientId: string) {
    const app = await this.db.oAuthApplication.findUnique({
      where: { clientId },
      include: { namespace: true },
    });
    if (!app) throw notFound("Application");
    return app;
  }

  async createApplication(p: Principal, org: string, input: ApplicationInput, ip?: string | null) {
    const ns = await this.adminOrg(p, org);
    const clientSecret = randomToken(30);
    const data = checkApplication(input);
    const by = { principal: p, namespaceId: ns.id, ip };
    const app = await this.uow.run(async (w) => {
      const app = await w.tx.oAuthApplication.create({
        data: {
          namespaceId: ns.id,
          ...data,
          clientId: randomToken(15),
          clientSecretHash: sha256hex(clientSecret),
        },
      });
      w.audit("create_application", by, { application_name: app.name, client_id: app.clientId });
      return app;
    });
    return { app, clientSecret };
  }

  /** Changes the name, URIs, description or avatar e-mail; fields left out keep their value. */
  async updateApplication(
    p: Principal,
    org: string,
    clientId: string,
    input: Partial<ApplicationInput>,
    ip?: string | null,
  ) {
    const app = await this.getApplication(p, org, clientId);
    const data = checkApplication({ ...appInput(app), ...stripUndefined(input) });
    return this.uow.run(async (w) => {
      const updated = await w.tx.oAuthApplication.update({ where: { id: app.id }, data });
      w.audit(
        "update_application",
        { principal: p, namespaceId: app.namespaceId, ip },
        { application_name: updated.name, client_id: clientId },
      );
      return updated;
    });
  }

  /** A new client secret, shown once; the old one stops working at once. */
  async resetClientSecret(p: Principal, org: string, clientId: string, ip?: string | null) {
    const app = await this.getApplication(p, org, clientId);
    const clientSecret = randomToken(30);
    const updated = await this.uow.run(async (w) => {
      const updated = await w.tx.oAuthApplication.update({
        where: { id: app.id },
        data: { clientSecretHash: sha256hex(clientSecret) },
      });
      w.audit(
        "reset_application_client_secret",
        { principal: p, namespaceId: app.namespaceId, ip },
        { application_name: app.name, client_id: clientId },
      );
      return updated;
    });
    return { app: updated, clientSecret };
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
    const u = this.grantor(p, scopes);
    const app = await this.db.oAuthApplication.findUnique({ where: { clientId } });
    if (!app) throw notFound("Application");
    const token = randomToken(30);
    await this.uow.run(async (w) => {
      await w.tx.oAuthAccessToken.create({
        data: { applicationId: app.id, userId: u.userId, tokenHash: sha256hex(token), scopes },
      });
      w.audit(
        "oauth_token_assigned",
        { principal: p, namespaceId: app.namespaceId, ip },
        { application: app.name, scopes },
      );
    });
    return token;
  }

  /** The user who grants `scopes` to an application: signed in with a session, holding every scope asked. */
  private grantor(p: Principal, scopes: string[]) {
    const u = this.authz.requireUser(p);
    if (u.scopes) throw forbidden("An OAuth token cannot issue other tokens");
    const bad = scopes.filter((s) => !(OAUTH_SCOPES as readonly string[]).includes(s));
    if (bad.length || !scopes.length)
      throw badInput(
        `Scopes must be some of: ${OAUTH_SCOPES.join(", ")}${bad.length ? ` (unknown: ${bad.join(", ")})` : ""}`,
      );
    if (scopes.includes("super:user") && !u.superuser)
      throw forbidden("Only superusers may grant super:user");
    return u;
  }

  // ------------------------------------------------------------ the authorize flow (/oauth/authorize)

  /**
   * A user approves an application: for the code grant, a one-time code (10 minutes) to exchange at
   * /oauth/access_token; for the implicit grant, the access token itself. The redirect URI must lie under
   * the registered one (checked by the caller with redirectAllowed).
   */
  async approve(
    p: Principal,
    input: { clientId: string; redirectUri: string; scopes: string[]; grant: "code" | "token" },
    ip?: string | null,
  ): Promise<{ code?: string; accessToken?: string }> {
    const u = this.grantor(p, input.scopes);
    const app = await this.publicApplication(input.clientId);
    if (!redirectAllowed(app.redirectUri, input.redirectUri))
      throw badInput("The redirect URI is not allowed");
    const secret = randomToken(30);
    await this.uow.run(async (w) => {
      const data = { applicationId: app.id, userId: u.userId, scopes: input.scopes };
      if (input.grant === "code")
        await w.tx.oAuthAuthorizationCode.create({
          data: {
            ...data,
            codeHash: sha256hex(secret),
            redirectUri: input.redirectUri,
            expiresAt: new Date(Date.now() + CODE_TTL_MS),
          },
        });
      else await w.tx.oAuthAccessToken.create({ data: { ...data, tokenHash: sha256hex(secret) } });
      w.audit(
        "oauth_authorize_application",
        { principal: p, namespaceId: app.namespaceId, ip },
        { application: app.name, client_id: app.clientId, scopes: input.scopes, grant: input.grant },
      );
    });
    return input.grant === "code" ? { code: secret } : { accessToken: secret };
  }

  /**
   * Exchanges a code for an access token (RFC 6749 §4.1.3): the application's secret, the same redirect URI,
   * used once and before it expires. Failures name the OAuth error code only.
   */
  async exchangeCode(input: {
    clientId: string;
    clientSecret: string;
    code: string;
    redirectUri: string;
  }): Promise<{ accessToken: string; scopes: string[] } | { error: "invalid_client" | "invalid_grant" }> {
    const app = await this.db.oAuthApplication.findUnique({ where: { clientId: input.clientId } });
    if (!app || !safeEqual(app.clientSecretHash, sha256hex(input.clientSecret)))
      return { error: "invalid_client" };
    const token = randomToken(30);
    return this.db.$transaction(async (tx) => {
      // Deleting first makes the code single-use even when two exchanges race.
      const code = await tx.oAuthAuthorizationCode
        .delete({ where: { codeHash: sha256hex(input.code) } })
        .catch(() => null);
      if (
        !code ||
        code.applicationId !== app.id ||
        code.expiresAt < new Date() ||
        code.redirectUri !== input.redirectUri
      )
        return { error: "invalid_grant" as const };
      await tx.oAuthAccessToken.create({
        data: {
          applicationId: app.id,
          userId: code.userId,
          tokenHash: sha256hex(token),
          scopes: code.scopes,
        },
      });
      return { accessToken: token, scopes: code.scopes };
    });
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
