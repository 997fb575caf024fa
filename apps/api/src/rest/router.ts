// The REST door at /api/v1: matches a request against the route table, authenticates the caller, checks the
// route's OAuth scope, validates query and body, calls the handler and answers in Quay's JSON. Anything under
// /api that no route serves answers a JSON 404, never the console's HTML.
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { z } from "zod";
import type { Services } from "../app/services.js";
import type { Logger } from "../infra/logger.js";
import { authenticate } from "./authenticate.js";
import { ApiError, classify, errorBody } from "./errors.js";
import { scopesHold } from "../access/authz.js";
import type { Method, Route } from "./route.js";

/** The largest JSON body accepted (Quay's nginx default). */
export const MAX_BODY = "1mb";

interface Compiled {
  route: Route;
  re: RegExp;
  names: string[];
}

/** `{repository}` spans `namespace/name` with further slashes; every other parameter is one segment. */
function compile(route: Route): Compiled {
  const names: string[] = [];
  const pattern = route.path
    .replace(/\/+$/, "")
    .split(/(\{[a-z_]+\})/)
    .map((part) => {
      const m = /^\{([a-z_]+)\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
      names.push(m[1]!);
      return m[1] === "repository" ? "([^/]+/[^/]+(?:/[^/]+)*?)" : "([^/]+)";
    })
    .join("");
  // Quay declares some paths with a trailing slash and some without; both spellings are served.
  return { route, re: new RegExp(`^${pattern}/?$`), names };
}

/** More literal segments first, so `/repository/{repository}/tag/` wins over `/repository/{repository}`. */
const specificity = (r: Route) => {
  const literal = r.path.split("/").filter((s) => s && !s.startsWith("{"));
  return literal.length * 1000 + literal.join("").length;
};

function formatIssues(where: string, issues: z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((i) => {
      const at = [where, ...i.path.map(String)].join(".");
      return i.code === "unrecognized_keys"
        ? `${at}: unknown field${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `'${k}'`).join(", ")}`
        : `${at}: ${i.message}`;
    })
    .join("; ");
}

/** PostgreSQL takes no NUL in text, and no name or value here may hold one: refused before any lookup. */
function hasNul(v: unknown, depth = 0): boolean {
  if (typeof v === "string") return v.includes("\0");
  if (depth > 32 || v === null || typeof v !== "object") return false;
  return Object.entries(v).some(([k, x]) => k.includes("\0") || hasNul(x, depth + 1));
}
const NUL = "NUL characters are not allowed in the request";

function parseQuery(route: Route, req: Request): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, param] of Object.entries(route.query ?? {})) {
    const raw = req.query[name];
    if (raw === undefined) {
      out[name] = param.default;
      continue;
    }
    if (typeof raw !== "string") throw ApiError.badRequest(`${name} must be given once, as a plain value`);
    if (raw.includes("\0")) throw ApiError.badRequest(NUL);
    out[name] = param.parse(raw, name);
  }
  return out;
}

function parseBody(route: Route, req: Request): unknown {
  if (!route.body) return undefined;
  // An empty body reads as {} to the JSON parser; for the schema it is no body at all.
  const empty = !req.headers["transfer-encoding"] && (req.headers["content-length"] ?? "0") === "0";
  const raw: unknown = empty ? undefined : req.body;
  if (hasNul(raw)) throw ApiError.badRequest(NUL);
  if (raw === undefined) {
    if (route.bodyOptional) return route.body.parse({});
    throw ApiError.badRequest("Missing JSON body");
  }
  const r = route.body.safeParse(raw);
  if (!r.success) throw ApiError.badRequest(formatIssues("body", r.error.issues));
  return r.data;
}

export function createRestRouter(s: Services, routes: Route[], baseUrl: string, log: Logger): Router {
  const table = routes.map(compile).sort((a, b) => specificity(b.route) - specificity(a.route));
  const router = express.Router();

  const fail = (res: Response, status: number, detail: string) =>
    void res.status(status).json(errorBody(status, detail, baseUrl));

  const answer = async (req: Request, res: Response) => {
    const path = req.path.startsWith("/v1/") ? req.path.slice(3) : null;
    const matches = path === null ? [] : table.filter((c) => c.re.test(path));
    if (!matches.length)
      return fail(res, 404, `No API endpoint at ${req.method} ${req.originalUrl.split("?")[0]}`);
    const method = (req.method === "HEAD" ? "get" : req.method.toLowerCase()) as Method;
    const hit = matches.find((c) => c.route.method === method);
    if (!hit) {
      res.setHeader("Allow", [...new Set(matches.map((c) => c.route.method.toUpperCase()))].join(", "));
      return fail(res, 405, "The method is not allowed for the requested URL.");
    }
    const { route } = hit;
    const values = hit.re.exec(path!)!.slice(1);
    const params = Object.fromEntries(hit.names.map((n, i) => [n, decodeURIComponent(values[i]!)]));
    if (hasNul(params)) throw ApiError.badRequest(NUL);
    const caller = await authenticate(s, req);
    const p = caller.principal;
    if (route.scope && p.kind === "user" && p.scopes && !scopesHold(p.scopes, route.scope))
      throw ApiError.forbidden(`This token lacks the ${route.scope} scope`);
    const call = {
      principal: p,
      s,
      params,
      query: parseQuery(route, req),
      body: parseBody(route, req),
      ip: req.ip ?? null,
      res,
    };
    const result = await route.handler(call as never);
    const status = route.status ?? (route.response === null ? 204 : 200);
    if (status === 204) return void res.status(204).end();
    res.status(status).json(result ?? null);
  };

  router.use(express.json({ limit: MAX_BODY, type: () => true }));
  router.use((req, res, next) => answer(req, res).catch(next));
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return void res.destroy();
    const known = classify(err);
    if (known) return fail(res, known.status, known.message);
    const e = err as { type?: string; status?: number };
    if (e.type === "entity.too.large") return fail(res, 413, `The request body is larger than ${MAX_BODY}`);
    if (e.type === "entity.parse.failed") return fail(res, 400, "The request body is not valid JSON");
    if (err instanceof URIError) return fail(res, 400, "Malformed percent-encoding in the path");
    if (typeof e.status === "number" && e.status >= 400 && e.status < 500)
      return fail(res, e.status, "The request could not be read");
    log.error({ err: String((err as Error)?.stack ?? err), path: req.path }, "REST API error");
    fail(res, 500, "Internal server error");
  });
  return router;
}
