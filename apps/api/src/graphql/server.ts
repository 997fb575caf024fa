// Apollo Server over the type-graphql schema. Domain errors become GraphQL errors with extension codes.
import { ApolloServer } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import type { Request, RequestHandler } from "express";
import type http from "node:http";
import { WebSocketServer } from "ws";
import { useServer } from "graphql-ws/use/ws";
import { OciError } from "@hm/oci";
import { DomainError } from "../common/errors.js";
import type { GraphQLContext } from "./context.js";
import { buildGraphQLSchema } from "./schema.js";
import { createLoaders } from "./loaders.js";
import type { Services } from "../app/services.js";
import { ANONYMOUS } from "../access/principal.js";
import { isDevelopment } from "../config/config.js";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";

function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof DomainError)
    return { ...formatted, message: original.message, extensions: { code: original.code } };
  if (original instanceof OciError)
    return { ...formatted, message: original.message, extensions: { code: "BAD_USER_INPUT" } };
  const code = formatted.extensions?.code;
  if (code === "INTERNAL_SERVER_ERROR" || !code)
    return { message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } };
  return formatted;
}

export async function createGraphQLMiddleware(
  services: Services,
): Promise<{ middleware: RequestHandler; stop: () => Promise<void>; schema: GraphQLSchema }> {
  const schema = await buildGraphQLSchema();
  const server = new ApolloServer<GraphQLContext>({
    schema,
    csrfPrevention: true,
    introspection: true,
    formatError,
    // Apollo's own default follows NODE_ENV, which `npm start` leaves unset: decided here from our config, so
    // stack traces with server paths reach answers only in development mode.
    includeStacktraceInErrorResponses: isDevelopment(services.config),
    // The entry point stops the whole system on SIGINT/SIGTERM; Apollo's own handler would race it and
    // re-raise the signal into a process that is already stopping (it then never exits).
    stopOnTerminationSignals: false,
    // Apollo's landing pages load from its CDN, which an air-gapped installation cannot reach; a browser
    // asking for /graphql in production gets the plain "GET query missing" answer instead.
    plugins: isDevelopment(services.config) ? [] : [ApolloServerPluginLandingPageDisabled()],
  });
  await server.start();
  const middleware = expressMiddleware(server, {
    context: async ({ req, res }) => {
      const principal = await services.sessions.principalFor(req).catch(() => ANONYMOUS);
      return {
        req,
        res,
        principal,
        services,
        loaders: createLoaders(services, principal),
        ip: req.ip ?? null,
      };
    },
  }) as unknown as RequestHandler;
  return { middleware, stop: () => server.stop(), schema };
}

/**
 * Subscriptions (graphql-ws) on the same server and path as queries. The caller is resolved from the
 * upgrade request's session cookie or Bearer token, as for queries; a browser may connect only from the
 * console's own origin (a cookie must not let another site follow a build).
 */
export function attachSubscriptions(
  httpServer: http.Server,
  services: Services,
  schema: GraphQLSchema,
): { stop: () => Promise<void> } {
  const wss = new WebSocketServer({
    server: httpServer,
    path: "/graphql",
    verifyClient: ({ origin, req }: { origin?: string; req: http.IncomingMessage }) => {
      if (!origin) return true;
      try {
        return new URL(origin).host === req.headers.host;
      } catch {
        return false;
      }
    },
  });
  const cleanup = useServer(
    {
      schema,
      context: async (ctx) => {
        const req = ctx.extra.request as unknown as Request;
        const principal = await services.sessions.principalFor(req).catch(() => ANONYMOUS);
        return { req, res: null, principal, services, loaders: createLoaders(services, principal), ip: null };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
      onNext: (_ctx, _id, _payload, _args, result) =>
        "errors" in result && result.errors
          ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) }
          : undefined,
    },
    wss,
  );
  return {
    stop: async () => {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
