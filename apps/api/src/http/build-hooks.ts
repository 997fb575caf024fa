// The two build doors outside /api/v1, as Quay places them: PUT /userfiles/{id} receives a filedrop upload
// (the id is the credential: random, one upload, within an hour), and POST /webhooks/push/trigger/{uuid}
// receives a source service's push (authenticated by the trigger's own secrets, not by a session).
import express, { type Router } from "express";
import type { Services } from "../app/services.js";
import { DomainError } from "../common/errors.js";
import { WebhookRefused } from "../builds/sources/index.js";

const STATUS: Record<string, number> = { NOT_FOUND: 404, BAD_USER_INPUT: 400, FORBIDDEN: 403 };

export function buildHooksRouter(s: Services): Router {
  const router = express.Router();
  const fail = (res: express.Response, err: unknown) => {
    if (err instanceof WebhookRefused) {
      if (err.status === 401) res.setHeader("WWW-Authenticate", 'Basic realm="build trigger"');
      return void res.status(err.status).json({ error: err.message });
    }
    if (err instanceof DomainError)
      return void res.status(STATUS[err.code] ?? 400).json({ error: err.message });
    s.log.error({ err: String((err as Error)?.stack ?? err) }, "build hook error");
    res.status(500).json({ error: "internal error" });
  };

  router.put("/userfiles/:id", async (req, res) => {
    try {
      if (!s.config.FEATURE_BUILD_SUPPORT) return void res.status(404).json({ error: "not found" });
      const size = await s.fileDrops.store(req.params.id!, req);
      res.status(200).json({ size });
    } catch (err) {
      fail(res, err);
    }
  });

  router.post(
    "/webhooks/push/trigger/:uuid",
    express.raw({ type: () => true, limit: "5mb" }),
    async (req, res) => {
      try {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const out = await s.triggers.webhook(req.params.uuid!, { headers: req.headers, body });
        if (!out.build) return void res.status(200).json({ skipped: out.skipped ?? null });
        res.status(200).json({ build: out.build.uuid });
      } catch (err) {
        fail(res, err);
      }
    },
  );
  return router;
}
