// Apollo Server over the type-graphql schema. Domain errors become GraphQL errors with extension codes.
import { ApolloServer } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import type { RequestHandler } from "express";
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
): Promise<{ middleware: RequestHandler; stop: () => Promise<void> }> {
  const server = new ApolloServer<GraphQLContext>({
    schema: await buildGraphQLSchema(),
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
  return { middleware, stop: () => server.stop() };
}
