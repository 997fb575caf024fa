// GET /c1/squash/:namespace/:repository(with slashes)/:tag — Quay's squashed image download, authorised like
// a pull: Basic credentials (user password, robot token, $oauthtoken, $app), a session cookie or an OAuth
// Bearer token, or nobody for a public repository.
import express, { type Request, type Response, type Router } from "express";
import { pipeline } from "node:stream/promises";
import type { Services } from "../app/services.js";
import { CredentialService } from "../access/credentials.js";
import { isValidRepositoryName, isValidTag } from "@hm/oci";
import { DomainError, notFound } from "../common/errors.js";
import type { Principal } from "../access/principal.js";

const deny = (res: Response, status: number, message: string) => {
  if (status === 401) res.setHeader("WWW-Authenticate", 'Basic realm="squash"');
  res.status(status).json({ error: message });
};

async function callerOf(s: Services, req: Request): Promise<Principal | null> {
  const basic = CredentialService.parseBasic(req.headers.authorization);
  if (basic) return s.credentials.resolve(basic.username, basic.password);
  return s.sessions.principalFor(req);
}

export function squashRouter(s: Services): Router {
  const router = express.Router();
  router.get(/.*/, async (req, res) => {
    let parts: string[];
    try {
      parts = req.path.split("/").filter(Boolean).map(decodeURIComponent);
    } catch {
      return deny(res, 400, "malformed percent-encoding in the path");
    }
    if (parts.length < 3) return deny(res, 404, "expected /c1/squash/namespace/repository/tag");
    const tag = parts.pop()!;
    const repository = parts.join("/");
    const principal = await callerOf(s, req);
    if (!principal) return deny(res, 401, "invalid credentials");
    try {
      // Names and tags outside the grammar exist nowhere (and PostgreSQL refuses some, such as a NUL).
      if (!isValidRepositoryName(repository)) throw notFound("Repository");
      if (!isValidTag(tag)) throw notFound("Tag");
      const repo = await s.repos.require(principal, repository, "read");
      const platform = typeof req.query.platform === "string" ? req.query.platform : undefined;
      const stream = await s.squash.export(repo, tag, platform);
      s.registry.recordPull(principal, repo, { tag, verb: "squash" }, req.ip);
      res.setHeader("Content-Type", "application/x-tar");
      res.setHeader(
        "Content-Disposition",
        `attachment; filename="${repo.name.replace(/\//g, "_")}-${tag}.squash.tar"`,
      );
      await pipeline(stream, res).catch(() => res.destroy());
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      // Someone who may not read the repository learns nothing about it; anonymous callers are asked to log in.
      if (e.code === "NOT_FOUND" && principal.kind === "anonymous")
        return deny(res, 401, "authentication required");
      const status = { NOT_FOUND: 404, FORBIDDEN: 403, BAD_USER_INPUT: 400 }[e.code as string] ?? 400;
      return deny(res, status, e.message);
    }
  });
  return router;
}
