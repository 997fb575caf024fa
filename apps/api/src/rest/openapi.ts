// The discovery document (Swagger 2.0, as Quay's /api/v1/discovery serves it) generated from the route table:
// every route's path, parameters, body and response schemas and required scope. Schemas are JSON Schema
// (draft 7) as Quay's own definitions are, so validators and Swagger UI read them alike.
import { z } from "zod";
import { OAUTH_SCOPES } from "../access/authz.js";
import { PATH_PARAMS, type Route } from "./route.js";

/** What each scope lets a token do (Quay's descriptions), for the document and the consent page. */
export const SCOPE_DESCRIPTIONS: Record<(typeof OAUTH_SCOPES)[number], string> = {
  "repo:read": "View and pull all repositories visible to the granting user",
  "repo:write": "View, push and pull to all repositories to which the granting user has write access",
  "repo:admin": "Administer all repositories to which the granting user has access",
  "repo:create": "Create repositories in all namespaces that the granting user may create repositories in",
  "user:read": "Read user information such as username and e-mail address",
  "user:admin": "Administer the account, including creating robots and granting them permissions",
  "org:admin": "Administer organizations, including creating robots, creating teams and changing membership",
  "super:user": "Administer the installation: users, organizations and the other superuser features",
};

export const ERROR_SCHEMA = {
  type: "object",
  properties: {
    status: { type: "integer", description: "Status code of the response." },
    type: { type: "string", description: "Reference to the type of the error." },
    detail: { type: "string", description: "Details about the specific instance of the error." },
    title: { type: "string", description: "Unique error code to identify the type of error." },
    error_message: { type: "string", description: "Deprecated; alias for detail" },
    error_type: { type: "string", description: "Deprecated; alias for title" },
  },
  required: ["status", "type", "title", "detail"],
} as const;

type JsonSchema = Record<string, unknown>;

function toJsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    target: "draft-7",
    io,
    unrepresentable: "any",
  });
  return rest as JsonSchema;
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export interface SwaggerDocument {
  swagger: "2.0";
  paths: Record<string, Record<string, unknown>>;
  definitions: Record<string, JsonSchema>;
  [k: string]: unknown;
}

export function swaggerDocument(
  routes: Route[],
  site: { host: string; scheme: string; title: string; contact?: string | null },
): SwaggerDocument {
  const paths: SwaggerDocument["paths"] = {};
  const definitions: SwaggerDocument["definitions"] = { ApiError: { ...ERROR_SCHEMA } };
  const errors = (codes: number[]) =>
    Object.fromEntries(
      codes.map((c) => [
        String(c),
        {
          description: {
            400: "Bad Request",
            401: "Session required",
            403: "Unauthorized access",
            404: "Not found",
            409: "Conflict",
            413: "Request body too large",
          }[c],
          schema: { $ref: "#/definitions/ApiError" },
        },
      ]),
    );
  for (const r of [...routes].sort((a, b) => a.tag.localeCompare(b.tag) || a.path.localeCompare(b.path))) {
    const key = `/api/v1${r.path}`;
    const names = [...r.path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]!);
    const entry = (paths[key] ??= {
      "x-path": key,
      "x-tag": r.tag,
      parameters: names.map((name) => ({
        name,
        in: "path",
        required: true,
        type: "string",
        description: PATH_PARAMS[name] ?? name,
      })),
    });
    const parameters: unknown[] = Object.entries(r.query ?? {}).map(([name, qp]) => ({
      name,
      in: "query",
      required: false,
      type: qp.type,
      description: qp.description,
      ...(qp.default !== undefined ? { default: qp.default } : {}),
    }));
    if (r.body) {
      const name = `${pascal(r.nickname)}Request`;
      definitions[name] = toJsonSchema(r.body, "input");
      parameters.push({
        name: "body",
        in: "body",
        required: !r.bodyOptional,
        description: "Request body contents.",
        schema: { $ref: `#/definitions/${name}` },
      });
    }
    const status = r.status ?? (r.response === null ? 204 : 200);
    const success: Record<string, unknown> = {
      description: {
        200: "Successful invocation",
        201: "Successful creation",
        202: "Accepted",
        204: "Deleted",
      }[status],
    };
    if (r.response) {
      const name = `${pascal(r.nickname)}Response`;
      definitions[name] = toJsonSchema(r.response, "output");
      success.schema = { $ref: `#/definitions/${name}` };
    }
    entry[r.method] = {
      operationId: r.nickname,
      description: r.description,
      tags: [r.tag],
      parameters,
      ...(r.scope ? { security: [{ oauth2_implicit: [r.scope] }] } : {}),
      responses: {
        [String(status)]: success,
        ...errors([...(r.body ? [400, 401, 403, 404, 413] : [400, 401, 403, 404]), ...(r.errors ?? [])]),
      },
    };
  }
  const tags = [...new Set(routes.map((r) => r.tag))].sort().map((name) => ({ name }));
  return {
    swagger: "2.0",
    host: site.host,
    basePath: "/",
    schemes: [site.scheme],
    info: {
      version: "v1",
      title: `${site.title} API`,
      description:
        "This API allows you to perform many of the operations required to work with repositories, users, " +
        "and organizations. It follows Quay's /api/v1.",
      ...(site.contact ? { contact: { email: site.contact } } : {}),
    },
    securityDefinitions: {
      oauth2_implicit: {
        type: "oauth2",
        flow: "implicit",
        authorizationUrl: `${site.scheme}://${site.host}/oauth/authorize`,
        scopes: SCOPE_DESCRIPTIONS,
      },
    },
    paths,
    definitions,
    tags,
  };
}
