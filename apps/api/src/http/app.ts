// The Express application: operations endpoints, the registry token endpoint and /v2 router, GraphQL, and
// the web console with SPA fallback. Order matters only where said.
import fs from "node:fs";
import path from "node:path";
import { escapeHtml } from "../notifications/mailer.js";
import express, { type Express, type RequestHandler } from "express";
import { createRegistryRouter } from "@hm/oci";
import type { Services } from "../app/services.js";
import { isMigrated } from "../infra/migrate.js";
import type pg from "pg";
import type { BlobStore } from "../storage/blob-store.js";
import { createRegistryBackend, toOciError } from "../registry/backend.js";
import { RegistryAuthenticator } from "../registry/authenticator.js";
import { tokenEndpoint } from "../registry/token-endpoint.js";
import { observability } from "./observability.js";
import { buildHooksRouter } from "./build-hooks.js";
import { squashRouter } from "./squash-router.js";
import { errorHandler } from "./errors.js";
import { isDevelopment, siteBase } from "../config/config.js";
import { createRestRouter } from "../rest/router.js";
import { REST_ROUTES } from "../rest/routes/index.js";
import { oauthRouter } from "./oauth-web.js";

export interface AppDeps {
  services: Services;
  pool: pg.Pool;
  store: BlobStore;
  redisPing: () => Promise<boolean>;
  graphql: RequestHandler;
  webDist: string | null;
}

/** The small page a confirmation link opens. */
const page = (title: string, body: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><h1>${title}</h1><p>${body}</p>`;

export function createApp({ services: s, pool, store, redisPing, graphql, webDist }: AppDeps): Express {
  const app = express();
  app.disable("x-powered-by");
  // Express derives its mode from NODE_ENV, and in any but "production" its fallback error page prints
  // stacks. `npm start` leaves NODE_ENV unset, so the mode comes from our config instead.
  app.set("env", isDevelopment(s.config) ? "development" : "production");
  app.set("trust proxy", "loopback");
  app.use(observability(s.log, s.metrics, s.foreground));

  app.get("/health/live", (_req, res) => void res.json({ status: "ok" }));
  app.get("/health/ready", async (_req, res) => {
    const checks = {
      database: await isMigrated(pool).catch(() => false),
      redis: await redisPing().catch(() => false),
      storage: await store.checkWritable().then(
        () => true,
        () => false,
      ),
    };
    const ok = Object.values(checks).every(Boolean);
    res.status(ok ? 200 : 503).json({ status: ok ? "ok" : "unavailable", checks });
  });
  app.get("/metrics", async (_req, res) => {
    res.type(s.metrics.registry.contentType).send(await s.metrics.registry.metrics());
  });

  const authn = new RegistryAuthenticator(s.tokens, s.credentials, s.grants, `${siteBase(s.config)}/v2/auth`);
  // The token endpoint sits under /v2 (as in Quay) and must be routed before the registry router.
  app.get(
    "/v2/auth",
    tokenEndpoint({ tokens: s.tokens, credentials: s.credentials, grants: s.grants, audit: s.audit }),
  );
  app.use(
    "/v2",
    createRegistryRouter({
      backend: createRegistryBackend(s.registry, s.blobs),
      translateError: toOciError,
      auth: authn,
      maxManifestBytes: s.config.MAX_MANIFEST_BYTES,
      onError: (err, req) =>
        s.log.error({ err: String((err as Error)?.stack ?? err), path: req.path }, "registry error"),
    }),
  );

  app.use("/c1/squash", squashRouter(s));
  app.use(buildHooksRouter(s));
  // The links of e-mail confirmations (an account's address; an address for a repository's notifications,
  // seed 001 §12.2.2): a small page each, no sign-in needed.
  const confirmPage =
    (confirm: (code: string) => Promise<string | null>): RequestHandler =>
    async (req, res, next) => {
      try {
        const done = await confirm(String(req.query.code ?? ""));
        res.type("html");
        if (!done)
          return void res.status(404).send(page("Link not valid", "This confirmation link is not valid."));
        res.send(page("E-mail address confirmed", done));
      } catch (e) {
        next(e);
      }
    };
  app.get(
    "/confirm/email",
    confirmPage(async (code) => {
      const d = await s.accountMail.confirm(code);
      return d && `${escapeHtml(d.email)} is confirmed as the address of ${escapeHtml(d.username)}.`;
    }),
  );
  app.get(
    "/confirm/repository-email",
    confirmPage(async (code) => {
      const d = await s.notifications.confirmEmail(code);
      return (
        d &&
        `${escapeHtml(d.email)} will now receive the notifications of ${escapeHtml(d.repository)} it is set up for.`
      );
    }),
  );
  // Quay's REST API; everything under /api answers JSON, never the console.
  app.use("/api", createRestRouter(s, REST_ROUTES, siteBase(s.config), s.log));
  app.use(oauthRouter(s));
  app.use("/graphql", express.json({ limit: "1mb" }), graphql);

  if (webDist && fs.existsSync(path.join(webDist, "index.html"))) {
    app.use(express.static(webDist, { index: false, maxAge: "1h" }));
    // SPA fallback: any other GET that wants HTML gets the console's index.html.
    app.get(/^\/(?!v2\/|v2$|api\/|api$|graphql|health|metrics).*/, (req, res, next) => {
      if (!req.accepts("html")) return next();
      res.sendFile(path.join(webDist, "index.html"));
    });
  }
  app.use((_req, res) => void res.status(404).json({ error: "not found" }));
  // Malformed bodies (bad JSON, too large) and everything else passed on answer in the door's own format.
  app.use(errorHandler(s.log));
  return app;
}
