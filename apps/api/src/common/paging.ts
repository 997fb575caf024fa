// Keyset paging shared by every list: services fetch `first + 1` rows after a cursor and return a Page;
// the GraphQL layer turns a Page into a Relay connection. Cursors are opaque (base64url of the sort key).
import { badInput } from "./errors.js";

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Page<T> {
  items: T[];
  cursors: string[];
  hasNextPage: boolean;
  totalCount?: number;
}

export const MAX_PAGE = 100;

export function pageSize(args: PageArgs, max = MAX_PAGE, dflt = 50): number {
  const n = args.first ?? dflt;
  if (!Number.isInteger(n) || n < 1 || n > max) throw badInput(`first must be between 1 and ${max}`);
  return n;
}

export const encodeCursor = (key: string[]): string =>
  Buffer.from(JSON.stringify(key), "utf8").toString("base64url");

/** The sort key of a cursor: exactly `arity` strings, or BAD_USER_INPUT. */
export function decodeCursor(cursor: string | null | undefined, arity = 1): string[] | null {
  if (!cursor) return null;
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(v) && v.length === arity && v.every((x) => typeof x === "string")) return v;
  } catch {
    /* below */
  }
  throw badInput("Invalid cursor");
}

/** An ILIKE pattern matching `text` anywhere, with LIKE's wildcards in it taken literally. */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Cuts a `take: n + 1` result into a page. */
export function toPage<T>(rows: T[], n: number, keyOf: (row: T) => string[], totalCount?: number): Page<T> {
  const items = rows.slice(0, n);
  return {
    items,
    cursors: items.map((r) => encodeCursor(keyOf(r))),
    hasNextPage: rows.length > n,
    totalCount,
  };
}
