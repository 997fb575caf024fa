// How a REST route is declared: method, Quay's path and nickname, the OAuth scope it needs, its query
// parameters, body and response schemas, and a thin handler. The router, the discovery document and the
// contract test all read these declarations, so what is served and what is documented cannot drift.
import type { Response } from "express";
import { z } from "zod";
import type { OAuthScope } from "../access/authz.js";
import type { Principal } from "../access/principal.js";
import type { Services } from "../app/services.js";
import { ApiError } from "./errors.js";

export type Method = "get" | "put" | "post" | "delete";

/** A query parameter: its documented type and how a raw string becomes a value (D: it has a default). */
export interface QueryParam<T, D extends boolean = boolean> {
  type: "string" | "boolean" | "integer";
  description: string;
  default?: T;
  hasDefault: D;
  parse(raw: string, name: string): T;
}

/** Quay's truthy_bool: false only for these spellings, anything else given is true. */
const FALSY = new Set(["false", "False", "FALSE", "0", "", "null"]);

function int(
  description: string,
  opts: { min: number; max: number; default: number },
): QueryParam<number, true>;
function int(description: string, opts: { min: number; max: number }): QueryParam<number, false>;
function int(description: string, opts: { min: number; max: number; default?: number }): QueryParam<number> {
  return {
    type: "integer",
    description,
    default: opts.default,
    hasDefault: opts.default !== undefined,
    parse: (raw, name) => {
      const n = /^-?\d{1,15}$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < opts.min || n > opts.max)
        throw ApiError.badRequest(`${name} must be an integer from ${opts.min} to ${opts.max}`);
      return n;
    },
  };
}

export const q = {
  str: (description: string, maxLength = 1024): QueryParam<string, false> => ({
    type: "string",
    description,
    hasDefault: false,
    parse: (raw, name) => {
      if (raw.length > maxLength) throw ApiError.badRequest(`${name} is longer than ${maxLength} characters`);
      return raw;
    },
  }),
  bool: (description: string, dflt = false): QueryParam<boolean, true> => ({
    type: "boolean",
    description,
    default: dflt,
    hasDefault: true,
    parse: (raw) => !FALSY.has(raw),
  }),
  int,
};

type QuerySpec = Record<string, QueryParam<any>>;
type QueryValues<Q extends QuerySpec> = {
  [K in keyof Q]: Q[K] extends QueryParam<infer T, true>
    ? T
    : Q[K] extends QueryParam<infer T>
      ? T | undefined
      : never;
};

/** What a handler receives: the caller, the services, and the request's parts, already validated. */
export interface Call<Q extends QuerySpec, B> {
  principal: Principal;
  s: Services;
  params: Record<string, string>;
  query: QueryValues<Q>;
  body: B;
  ip: string | null;
  /** For headers such as Location; the router sends the body. */
  res: Response;
}

export interface RouteSpec<Q extends QuerySpec, B extends z.ZodType | undefined, R extends z.ZodType | null> {
  method: Method;
  /** Quay's path below /api/v1, with `{param}` placeholders; `{repository}` is `namespace/name`. */
  path: string;
  /** Quay's nickname, the document's operationId. */
  nickname: string;
  /** Section of the document (Quay's module name). */
  tag: string;
  description: string;
  /** The OAuth scope a token needs (repo:admin implies write and read; user:admin implies user:read). */
  scope?: OAuthScope;
  query?: Q;
  body?: B;
  /** A body that may be left out (Quay's optional schemas, such as a robot's). */
  bodyOptional?: boolean;
  /** Error statuses answered besides 400, 401, 403, 404 (and 413 with a body), such as Quay's 409. */
  errors?: number[];
  /** The success answer's schema; null for an empty 204. */
  response: R;
  status?: 200 | 201 | 202 | 204;
  handler(
    call: Call<Q, B extends z.ZodType ? z.output<B> : undefined>,
  ): Promise<R extends z.ZodType ? z.input<R> : void>;
}

export type Route = RouteSpec<QuerySpec, z.ZodType | undefined, z.ZodType | null>;

/** Declares a route; the generic parameters only type the handler against its own schemas. */
export function route<
  const Q extends QuerySpec = Record<never, never>,
  B extends z.ZodType | undefined = undefined,
  R extends z.ZodType | null = null,
>(spec: RouteSpec<Q, B, R>): Route {
  return spec as unknown as Route;
}

/** Descriptions of the path parameters, shared by every route that has them. */
export const PATH_PARAMS: Record<string, string> = {
  repository: "The full path of the repository, e.g. namespace/name",
  orgname: "The name of the organization",
  username: "The name of the user",
  teamname: "The name of the team",
  membername: "The username of the member",
  robot_shortname: "The short name of the robot, without its namespace",
  client_id: "The OAuth client ID of the application",
  prototypeid: "The ID of the default permission",
  tag: "The name of the tag",
  manifestref: "The digest of the manifest",
  labelid: "The ID of the label",
  email: "The e-mail address",
  name: "The name of the organization",
  prefix: "The prefix of the entities being looked up",
  error_type: "The error code",
  uuid: "The ID of the token or notification",
  quota_id: "The ID of the quota",
  limit_id: "The ID of the quota limit",
  namespace: "The organization or user namespace",
  build_uuid: "The ID of the build",
  trigger_uuid: "The ID of the build trigger",
};
