// OAuth 2 for external tools, as Quay serves it: /oauth/authorize (the consent page is the console's, which
// reads this endpoint with format=json), /oauth/authorizeapp and /oauth/denyapp (the consent form posts here),
// /oauth/access_token (a code for a token), and /csrf_token (the CSRF token of the browser session).
import express, { type Request, type Response, type Router } from "express";
import { OAUTH_SCOPES } from "../access/authz.js";
import { redirectAllowed } from "../access/oauth.js";
import { csrfToken, readCookie, SESSION_COOKIE } from "../access/sessions.js";
import { safeEqual } from "../access/secrets.js";
import { CredentialService } from "../access/credentials.js";
import type { Services } from "../app/services.js";
import { DomainError } from "../common/errors.js";
import { SCOPE_DESCRIPTIONS } from "../rest/openapi.js";
import { avatarFor } from "../tenancy/avatars.js";

/** Quay's tokens do not expire; it announces ten years. */
const EXPIRES_IN = 315576000;
const DANGEROUS = new Set(["user:admin", "org:admin", "super:user"]);

type Params = Record<string, string | undefined>;

/** Parameters from the query and a form or JSON body, as OAuth clients send them either way. */
const paramsOf = (req: Request): Params => {
  const out: Params = {};
  for (const src of [req.query, (req.body ?? {}) as Record<string, unknown>])
    for (const [k, v] of Object.entries(src)) if (typeof v === "string" && !v.includes("\0")) out[k] = v;
  return out;
};

/** Scopes as Quay takes them: separated by spaces or commas; any unknown one makes the whole set invalid. */
function parseScopes(raw: string | undefined): string[] | null {
  const scopes = [...new Set((raw ?? "").split(/[\s,]+/).filter(Boolean))];
  return scopes.length && scopes.every((s) => (OAUTH_SCOPES as readonly string[]).includes(s))
    ? scopes
    : null;
}

function withParams(uri: string, params: Record<string, string | undefined>, inFragment = false): string {
  const u = new URL(uri);
  const add = new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined),
  );
  if (inFragment) u.hash = add.toString();
  else for (const [k, v] of add) u.searchParams.set(k, v);
  return u.toString();
}

const oauthError = (res: Response, status: number, error: string, description: string) =>
  void res.status(status).set({ "cache-control": "no-store", pragma: "no-cache" }).json({
    error,
    error_description: description,
  });

export function oauthRouter(s: Services): Router {
  const router = express.Router();
  // Only these routes read bodies: the router sits in front of the console's fallback.
  const body = [express.urlencoded({ extended: false, limit: "64kb" }), express.json({ limit: "64kb" })];

  /** The signed-in browser user (cookie session only: these pages are for people). */
  const sessionUser = async (req: Request) => {
    const cookie = readCookie(req, SESSION_COOKIE);
    if (!cookie) return null;
    const p = await s.sessions.principalFor(req);
    return p.kind === "user" ? { principal: p, cookie } : null;
  };

  /** The signed-in user and the parameters of a consent form post that carries their CSRF token. */
  const consenting = async (req: Request, res: Response) => {
    const u = await sessionUser(req);
    if (!u) return void oauthError(res, 401, "unauthorized", "Sign in to authorize applications");
    const q = paramsOf(req);
    const sent = q._csrf_token ?? req.get("x-csrf-token");
    if (!sent || !safeEqual(sent, csrfToken(u.cookie)))
      return void oauthError(res, 403, "invalid_request", "CSRF token was invalid or missing.");
    return { u, q };
  };

  router.get("/csrf_token", async (req, res) => {
    const u = await sessionUser(req);
    if (!u) return oauthError(res, 401, "unauthorized", "Sign in first");
    res.set("cache-control", "no-store").json({ csrf_token: csrfToken(u.cookie) });
  });

  /** What the consent page shows and what it will ask for, after checking the request is one to grant. */
  async function describe(q: Params, res: Response) {
    for (const name of ["client_id", "redirect_uri", "scope"])
      if (!q[name]) return oauthError(res, 400, "invalid_request", `Required param: ${name}`);
    const responseType = q.response_type ?? "code";
    if (responseType !== "code" && responseType !== "token")
      return oauthError(res, 400, "unsupported_response_type", "response_type must be code or token");
    const app = await s.oauth.publicApplication(q.client_id!).catch(() => null);
    if (!app) return oauthError(res, 400, "invalid_client", "No application has this client_id");
    if (!redirectAllowed(app.redirectUri, q.redirect_uri!))
      return oauthError(res, 400, "invalid_request", "redirect_uri does not match the application's");
    const scopes = parseScopes(q.scope);
    if (!scopes)
      return oauthError(res, 400, "invalid_scope", `Scopes must be some of: ${OAUTH_SCOPES.join(", ")}`);
    return { app, scopes, responseType };
  }

  router.get("/oauth/authorize", async (req, res, next) => {
    // A person's browser gets the console, whose consent page reads this same URL with format=json.
    if (req.query.format !== "json" && req.accepts(["json", "html"]) === "html") return next();
    const u = await sessionUser(req);
    if (!u) return oauthError(res, 401, "unauthorized", "Sign in to authorize applications");
    const q = paramsOf(req);
    const ok = await describe(q, res);
    if (!ok) return;
    const { app, scopes, responseType } = ok;
    res.set("cache-control", "no-store").json({
      application: {
        name: app.name,
        description: app.description,
        url: app.applicationUri,
        avatar: avatarFor(app.name, app.avatarEmail ?? app.namespace.email, "app"),
        organization: {
          name: app.namespace.name,
          avatar: avatarFor(app.namespace.name, app.namespace.email, "org"),
        },
      },
      scopes: scopes.map((scope) => ({
        scope,
        description: SCOPE_DESCRIPTIONS[scope as keyof typeof SCOPE_DESCRIPTIONS],
        dangerous: DANGEROUS.has(scope),
      })),
      has_dangerous_scopes: scopes.some((x) => DANGEROUS.has(x)),
      response_type: responseType,
      client_id: app.clientId,
      redirect_uri: q.redirect_uri,
      scope: scopes.join(" "),
      state: q.state ?? null,
      csrf_token_val: csrfToken(u.cookie),
    });
  });

  /** The consent form's submit: checked like the GET, then the grant, then back to the application. */
  router.post("/oauth/authorizeapp", ...body, async (req, res) => {
    const c = await consenting(req, res);
    if (!c) return;
    const { u, q } = c;
    const ok = await describe(q, res);
    if (!ok) return;
    const grant = ok.responseType as "code" | "token";
    try {
      const issued = await s.oauth.approve(
        u.principal,
        { clientId: ok.app.clientId, redirectUri: q.redirect_uri!, scopes: ok.scopes, grant },
        req.ip ?? null,
      );
      const scope = ok.scopes.join(" ");
      res.redirect(
        302,
        grant === "code"
          ? withParams(q.redirect_uri!, { code: issued.code, scope, state: q.state })
          : withParams(
              q.redirect_uri!,
              {
                access_token: issued.accessToken,
                token_type: "Bearer",
                expires_in: String(EXPIRES_IN),
                scope,
                state: q.state,
              },
              true,
            ),
      );
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      const error =
        e.code === "FORBIDDEN" || e.code === "UNAUTHENTICATED" ? "access_denied" : "invalid_request";
      res.redirect(302, withParams(q.redirect_uri!, { error, error_description: e.message, state: q.state }));
    }
  });

  router.post("/oauth/denyapp", ...body, async (req, res) => {
    const c = await consenting(req, res);
    if (!c) return;
    const { q } = c;
    const app = q.client_id ? await s.oauth.publicApplication(q.client_id).catch(() => null) : null;
    if (!app || !q.redirect_uri || !redirectAllowed(app.redirectUri, q.redirect_uri))
      return oauthError(res, 400, "invalid_request", "redirect_uri does not match the application's");
    res.redirect(302, withParams(q.redirect_uri, { error: "access_denied", state: q.state }));
  });

  router.post("/oauth/access_token", ...body, async (req, res) => {
    const q = paramsOf(req);
    // The client may authenticate with Basic (RFC 6749 §2.3.1) or send its secret as a parameter.
    const basic = CredentialService.parseBasic(req.get("authorization"));
    const clientId = basic?.username ?? q.client_id;
    const clientSecret = basic?.password ?? q.client_secret;
    if (q.grant_type !== "authorization_code")
      return oauthError(res, 400, "unsupported_grant_type", "grant_type must be authorization_code");
    for (const [name, v] of Object.entries({
      client_id: clientId,
      client_secret: clientSecret,
      code: q.code,
      redirect_uri: q.redirect_uri,
    }))
      if (!v) return oauthError(res, 400, "invalid_request", `Required param: ${name}`);
    const r = await s.oauth.exchangeCode({
      clientId: clientId!,
      clientSecret: clientSecret!,
      code: q.code!,
      redirectUri: q.redirect_uri!,
    });
    if ("error" in r)
      return oauthError(
        res,
        r.error === "invalid_client" && basic ? 401 : 400,
        r.error,
        r.error === "invalid_client"
          ? "Unknown client or wrong client secret"
          : "The code is unknown, used or expired",
      );
    res.set({ "cache-control": "no-store", pragma: "no-cache" }).json({
      access_token: r.accessToken,
      token_type: "Bearer",
      expires_in: EXPIRES_IN,
      refresh_token: null,
      scope: r.scopes.join(" "),
    });
  });
  return router;
}
