// The application's last error handler. Whatever a route or middleware passes on (a malformed body, bad
// percent-encoding, an unexpected failure) is answered in the door's own error format: OCI error JSON under
// /v2, GraphQL errors with codes at /graphql, `{ "error": … }` elsewhere. Never a stack trace or a server
// path: those go to the log only.
import http from "node:http";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "../infra/logger.js";

/** The fields of http-errors (body-parser, send) and of Node's own errors that matter here. */
interface PassedError {
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  message?: unknown;
  stack?: unknown;
}

type Door = "registry" | "graphql" | "other";

const doorOf = (url: string): Door => {
  const path = url.split("?")[0]!;
  if (path === "/v2" || path.startsWith("/v2/")) return "registry";
  if (path === "/graphql" || path.startsWith("/graphql/")) return "graphql";
  return "other";
};

const OCI_CODES: Record<number, string> = { 401: "UNAUTHORIZED", 403: "DENIED", 429: "TOOMANYREQUESTS" };

export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = (typeof err === "object" && err !== null ? err : {}) as PassedError;
    const declared = Number(e.status ?? e.statusCode);
    // decodeURIComponent's URIError is always the caller's malformed percent-encoding.
    const status = err instanceof URIError ? 400 : declared >= 400 && declared < 500 ? declared : 500;
    if (status === 500)
      log.error({ err: String(e.stack ?? e.message ?? err), path: req.path }, "unhandled error");
    if (res.headersSent) return void res.destroy();
    // Only messages written for callers are repeated (http-errors marks them `expose`); others, like a failed
    // sendFile's, may name files on the server.
    const message =
      status === 500
        ? "internal server error"
        : err instanceof URIError
          ? "malformed percent-encoding"
          : e.expose === true && typeof e.message === "string"
            ? e.message
            : (http.STATUS_CODES[status] ?? "bad request");
    res.status(status);
    switch (doorOf(req.originalUrl)) {
      case "registry":
        res.json({ errors: [{ code: OCI_CODES[status] ?? "UNKNOWN", message, detail: null }] });
        return;
      case "graphql":
        res.json({
          errors: [
            { message, extensions: { code: status === 500 ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST" } },
          ],
        });
        return;
      default:
        res.json({ error: message });
    }
  };
}
