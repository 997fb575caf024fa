// Quay's error answer: `{detail, error_message, error_type, title, type, status}`, the shape its
// ApiException gives, with Quay's error types per status. Domain errors map onto it here and nowhere else.
import { OciError } from "@hm/oci";
import { DomainError, type DomainErrorCode } from "../common/errors.js";

/** Quay's error types and what its /api/v1/error/{type} says of each. */
export const ERROR_TYPES: Record<string, string> = {
  invalid_request:
    "The request was invalid. It may have contained invalid values or was improperly formatted.",
  invalid_token: "The access token provided was invalid.",
  insufficient_scope: "The access token did not have sufficient scope to access the requested resource.",
  not_found: "The resource was not found.",
  method_not_allowed: "The method is not allowed for the requested URL.",
  request_too_large: "The request body is larger than the server accepts.",
  too_many_requests: "Too many requests; retrying later may succeed.",
  internal_error: "The server failed to handle the request.",
};

const TYPE_OF_STATUS: Record<number, string> = {
  400: "invalid_request",
  401: "invalid_token",
  403: "insufficient_scope",
  404: "not_found",
  405: "method_not_allowed",
  413: "request_too_large",
  429: "too_many_requests",
  500: "internal_error",
};

const STATUS_OF_CODE: Record<DomainErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_USER_INPUT: 400,
  // Quay answers "already exists" and its other conflicts with 400.
  CONFLICT: 400,
  QUOTA_EXCEEDED: 403,
  RATE_LIMITED: 429,
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  static badRequest = (msg: string) => new ApiError(400, msg);
  static notFound = (msg = "Not Found") => new ApiError(404, msg);
  static unauthenticated = (msg = "Requires authentication") => new ApiError(401, msg);
  static forbidden = (msg = "Unauthorized") => new ApiError(403, msg);
}

export interface QuayErrorBody {
  detail: string;
  error_message: string;
  error_type: string;
  title: string;
  type: string;
  status: number;
}

export function errorBody(status: number, detail: string, baseUrl: string): QuayErrorBody {
  const type = TYPE_OF_STATUS[status] ?? (status >= 500 ? "internal_error" : "invalid_request");
  return {
    detail,
    error_message: detail,
    error_type: type,
    title: type,
    type: `${baseUrl}/api/v1/error/${type}`,
    status,
  };
}

/** The status and caller-facing message of anything a handler threw; null for an unexpected failure. */
export function classify(err: unknown): { status: number; message: string } | null {
  if (err instanceof ApiError) return { status: err.status, message: err.message };
  if (err instanceof DomainError) return { status: STATUS_OF_CODE[err.code], message: err.message };
  if (err instanceof OciError) return { status: 400, message: err.message };
  return null;
}
