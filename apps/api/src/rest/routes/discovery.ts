// The API's description of itself: the discovery document built from the route table, and Quay's error
// type pages that every error answer's `type` links to.
import { siteBase } from "../../config/config.js";
import { z } from "zod";
import { ERROR_TYPES } from "../errors.js";
import { ApiError } from "../errors.js";
import { swaggerDocument } from "../openapi.js";
import { q, route, type Route } from "../route.js";

export function discoveryRoutes(table: () => Route[]): Route[] {
  return [
    route({
      method: "get",
      path: "/discovery",
      nickname: "discovery",
      tag: "discovery",
      description: "List all of the API endpoints available in the Swagger API format.",
      query: {
        internal: q.bool(
          "Whether to include internal APIs (all are documented; accepted for Quay's clients)",
        ),
      },
      response: z.object({ swagger: z.literal("2.0") }).loose(),
      async handler({ s }) {
        return swaggerDocument(table(), {
          host: s.config.SERVER_HOSTNAME,
          scheme: s.config.PREFERRED_URL_SCHEME,
          title: s.config.REGISTRY_TITLE,
        });
      },
    }),
    route({
      method: "get",
      path: "/error/{error_type}",
      nickname: "getErrorDescription",
      tag: "error",
      description: "Get a detailed description of the error.",
      response: z.object({ type: z.string(), title: z.string(), description: z.string() }),
      async handler({ s, params }) {
        const description = ERROR_TYPES[params.error_type!];
        if (!description) throw ApiError.notFound(`No error type ${params.error_type}`);
        const base = siteBase(s.config);
        return { type: `${base}/api/v1/error/${params.error_type}`, title: params.error_type!, description };
      },
    }),
  ];
}
