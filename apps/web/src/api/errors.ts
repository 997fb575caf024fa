// Turns urql errors into what a person should read: the server's own messages, never a stack.
import type { CombinedError } from "urql";

export type ErrorCode =
  "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND" | "BAD_USER_INPUT" | "CONFLICT" | string;

export function errorMessage(error: CombinedError | Error | null | undefined): string {
  if (!error) return "";
  if ("graphQLErrors" in error && error.graphQLErrors.length) {
    return [...new Set(error.graphQLErrors.map((e) => e.message))].join(" ");
  }
  if ("networkError" in error && error.networkError)
    return `Cannot reach the server: ${error.networkError.message}`;
  return error.message;
}

export function errorCode(error: CombinedError | null | undefined): ErrorCode | undefined {
  const code = error?.graphQLErrors[0]?.extensions?.code;
  return typeof code === "string" ? code : undefined;
}

/** Runs a mutation result through one rule: throw the readable message, or hand back the data. */
export function unwrap<T>(result: { data?: T; error?: CombinedError }): T {
  if (result.error) throw new Error(errorMessage(result.error));
  if (!result.data) throw new Error("The server sent no answer.");
  return result.data;
}
