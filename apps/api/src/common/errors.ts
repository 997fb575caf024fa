// Domain errors carry a code that each door maps to its own format (GraphQL extension code, OCI error JSON).
export type DomainErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "BAD_USER_INPUT"
  | "CONFLICT"
  | "QUOTA_EXCEEDED"
  | "RATE_LIMITED";

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} not found`);
export const forbidden = (msg = "You do not have permission to do this") => new DomainError("FORBIDDEN", msg);
export const badInput = (msg: string) => new DomainError("BAD_USER_INPUT", msg);
export const conflict = (msg: string) => new DomainError("CONFLICT", msg);
