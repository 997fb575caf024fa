// Who is calling the REST API. As in Quay: an OAuth access token (`Authorization: Bearer`), or the console's
// session cookie, whose writes need the session's CSRF token in `X-CSRF-Token`. Scripts may also send an
// OAuth token or an app-specific token as Basic credentials (`$oauthtoken` / `$app`), the form `docker
// login` uses. Passwords and robot tokens are for the registry, not for this API.
import type { Request } from "express";
import type { Services } from "../app/services.js";
import { ANONYMOUS, type Principal } from "../access/principal.js";
import { CredentialService } from "../access/credentials.js";
import { csrfToken, readCookie, SESSION_COOKIE } from "../access/sessions.js";
import { safeEqual } from "../access/secrets.js";
import { ApiError } from "./errors.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export async function authenticate(s: Services, req: Request): Promise<{ principal: Principal }> {
  const header = req.headers.authorization;
  if (header) {
    const bearer = /^Bearer\s+(\S{1,4096})\s*$/i.exec(header);
    const basic = bearer ? null : CredentialService.parseBasic(header);
    let principal: Principal | null = null;
    if (bearer) principal = await s.accounts.verifyOAuthToken(bearer[1]!);
    else if (basic?.username === "$oauthtoken" || basic?.username === "$app")
      principal = await s.credentials.resolve(basic.username, basic.password);
    else if (basic)
      throw ApiError.unauthenticated(
        "The API takes an OAuth access token (Authorization: Bearer) or an app-specific token ($app); " +
          "passwords and robot tokens are for the registry",
      );
    if (!principal) throw ApiError.unauthenticated("The access token provided was invalid or has expired");
    return { principal };
  }
  const cookie = readCookie(req, SESSION_COOKIE);
  if (!cookie) return { principal: ANONYMOUS };
  const principal = await s.sessions.principalFor(req);
  if (principal.kind !== "anonymous" && !SAFE_METHODS.has(req.method)) {
    const sent = req.headers["x-csrf-token"];
    if (typeof sent !== "string" || !safeEqual(sent, csrfToken(cookie)))
      throw ApiError.forbidden("CSRF token was invalid or missing.");
  }
  return { principal };
}
