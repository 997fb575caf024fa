// The whole OCI Distribution surface on one screen. Each route: method, path, the actions the caller
// needs on the repository (checked before the handler runs), and the handler.
import express, { type Request, type Response, type Router } from "express";
import { OciError, isOciError } from "./errors.js";
import * as h from "./handlers.js";
import { sendError } from "./http.js";
import type { Action, Authenticator, RegistryBackend } from "./interfaces.js";
import { isValidRepositoryName } from "./names.js";

type Handler = (ctx: h.Ctx) => Promise<void>;
interface Route {
  method: string;
  path: RegExp; // group 1 = repository name where the route has one
  needs: Action[] | "authenticated" | "none";
  handler: Handler;
}

const N = "(.+)"; // repository name: validated after matching (greedy, so the suffix anchors the route)
const p = (s: string) => new RegExp(`^/v2/${s}$`);

// prettier-ignore
const ROUTES: Route[] = [
  { method: "GET",    path: /^\/v2\/?$/,                           needs: "authenticated", handler: h.base },
  { method: "GET",    path: p("_catalog"),                         needs: "none",          handler: h.catalog },
  { method: "HEAD",   path: p(`${N}/manifests/([^/]+)`),           needs: ["pull"],        handler: h.headOrGetManifest },
  { method: "GET",    path: p(`${N}/manifests/([^/]+)`),           needs: ["pull"],        handler: h.headOrGetManifest },
  { method: "PUT",    path: p(`${N}/manifests/([^/]+)`),           needs: ["pull", "push"], handler: h.putManifest },
  { method: "DELETE", path: p(`${N}/manifests/([^/]+)`),           needs: ["delete"],      handler: h.deleteManifest },
  { method: "POST",   path: p(`${N}/blobs/uploads/?`),             needs: ["pull", "push"], handler: h.startUpload },
  { method: "PATCH",  path: p(`${N}/blobs/uploads/([^/]+)`),       needs: ["pull", "push"], handler: h.patchUpload },
  { method: "PUT",    path: p(`${N}/blobs/uploads/([^/]+)`),       needs: ["pull", "push"], handler: h.finishUpload },
  { method: "GET",    path: p(`${N}/blobs/uploads/([^/]+)`),       needs: ["pull", "push"], handler: h.uploadStatus },
  { method: "DELETE", path: p(`${N}/blobs/uploads/([^/]+)`),       needs: ["pull", "push"], handler: h.cancelUpload },
  { method: "HEAD",   path: p(`${N}/blobs/([^/]+)`),               needs: ["pull"],        handler: h.headOrGetBlob },
  { method: "GET",    path: p(`${N}/blobs/([^/]+)`),               needs: ["pull"],        handler: h.headOrGetBlob },
  { method: "DELETE", path: p(`${N}/blobs/([^/]+)`),               needs: ["delete"],      handler: h.deleteBlob },
  { method: "GET",    path: p(`${N}/tags/list`),                   needs: ["pull"],        handler: h.listTags },
  { method: "GET",    path: p(`${N}/referrers/([^/]+)`),           needs: ["pull"],        handler: h.listReferrers },
];

export interface RegistryRouterOptions {
  backend: RegistryBackend;
  auth: Authenticator;
  maxManifestBytes?: number;
  /** Maps the backend's own errors to OciErrors; what stays something else is answered as 500 UNKNOWN. */
  translateError?: (err: unknown) => unknown;
  /** Called for unexpected (non-OCI) errors, which are answered as 500 UNKNOWN. */
  onError?: (err: unknown, req: Request) => void;
}

function match(req: Request): { route: Route; groups: string[] } | "method" | null {
  let pathMatched = false;
  const path = req.baseUrl + req.path; // mounted at /v2 or at the root: match on the full path
  for (const route of ROUTES) {
    const m = route.path.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== req.method) continue;
    try {
      return { route, groups: m.slice(1).map((g) => decodeURIComponent(g)) };
    } catch {
      throw new OciError("NAME_INVALID", "malformed percent-encoding in path");
    }
  }
  return pathMatched ? "method" : null;
}

export function createRegistryRouter(opts: RegistryRouterOptions): Router {
  const router = express.Router();
  const maxManifestBytes = opts.maxManifestBytes ?? 4 * 1024 * 1024;

  router.use(async (req: Request, res: Response) => {
    res.setHeader("Docker-Distribution-API-Version", "registry/2.0");
    let scope: string | undefined;
    try {
      const found = match(req);
      if (found === null) throw new OciError("NAME_INVALID", "no such endpoint", undefined, 404);
      if (found === "method") throw new OciError("UNSUPPORTED", "method not allowed", undefined, 405);
      const { route, groups } = found;
      const hasRepo = route.needs !== "none" && route.needs !== "authenticated";
      const repo = hasRepo ? groups[0]! : "";
      if (hasRepo && !isValidRepositoryName(repo))
        throw new OciError("NAME_INVALID", `invalid repository name: ${repo.slice(0, 256)}`);
      if (hasRepo) scope = `repository:${repo}:${(route.needs as Action[]).join(",")}`;

      const access = await opts.auth.authenticate(
        req,
        hasRepo ? repo : undefined,
        hasRepo ? (route.needs as Action[]) : [],
      );
      if (route.needs === "authenticated" && access.subject === null) throw new OciError("UNAUTHORIZED");
      if (hasRepo && !(route.needs as Action[]).every((a) => access.can(repo, a))) {
        throw new OciError("UNAUTHORIZED", undefined, [
          { Type: "repository", Name: repo, Action: (route.needs as Action[]).join(",") },
        ]);
      }
      await route.handler({
        req,
        res,
        backend: opts.backend,
        access,
        repo,
        params: hasRepo ? groups.slice(1) : groups,
        maxManifestBytes,
      });
    } catch (thrown) {
      const err = opts.translateError ? opts.translateError(thrown) : thrown;
      if (isOciError(err)) {
        const headers: Record<string, string> = {};
        if (err.status === 401) {
          // A Bearer token that was valid but too narrow gets insufficient_scope, so clients fetch a wider one.
          const bearer = req.headers.authorization?.startsWith("Bearer ");
          headers["WWW-Authenticate"] = opts.auth.challenge(
            req,
            scope,
            bearer
              ? err.code === "UNAUTHORIZED" && err.detail === "invalid_token"
                ? "invalid_token"
                : "insufficient_scope"
              : undefined,
          );
        }
        return sendError(res, err, headers);
      }
      opts.onError?.(err, req);
      if (res.headersSent) return void res.destroy();
      res.status(500).json({ errors: [{ code: "UNKNOWN", message: "internal error", detail: null }] });
    }
  });
  return router;
}
