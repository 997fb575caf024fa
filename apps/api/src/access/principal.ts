// Who is acting. Every door (GraphQL, /v2, workers) resolves its caller to one of these.
import { robotFullName } from "../tenancy/names.js";

export type Principal =
  | { kind: "anonymous" }
  | {
      kind: "user";
      userId: bigint;
      username: string;
      namespaceId: bigint;
      superuser: boolean;
      scopes?: string[];
    }
  | { kind: "robot"; robotId: bigint; name: string; namespaceId: bigint; namespace: string };

export const ANONYMOUS: Principal = { kind: "anonymous" };

/**
 * Who a registry token was issued to, by id: enough to name the actor without a lookup. An OAuth token's
 * scopes ride along: they narrow what its user may do on /v2 too (the catalog lists what they allow).
 */
export type PrincipalRef = { kind: "user" | "robot"; id: bigint; scopes?: string[] } | { kind: "anonymous" };

/**
 * Compact reference carried in registry tokens (`u:<id>`, `u:<id>;<scope>,…` for an OAuth token, `r:<id>` or
 * `a`), so /v2 never looks the caller up.
 */
export function principalRef(p: Principal): string {
  if (p.kind === "user") return `u:${p.userId}${p.scopes ? `;${p.scopes.join(",")}` : ""}`;
  return p.kind === "robot" ? `r:${p.robotId}` : "a";
}

/** The reference of a principal already resolved (Basic credentials on /v2), without the string form. */
export function refOf(p: Principal): PrincipalRef {
  if (p.kind === "user") return { kind: "user", id: p.userId, ...(p.scopes ? { scopes: p.scopes } : {}) };
  return p.kind === "robot" ? { kind: "robot", id: p.robotId } : { kind: "anonymous" };
}

/** The one parser of `principalRef`'s form; anything else is anonymous. */
export function parsePrincipalRef(ref: string | undefined): PrincipalRef {
  const m = /^([ur]):(\d{1,19})(?:;([a-z:,]*))?$/.exec(ref ?? "");
  if (!m) return { kind: "anonymous" };
  const scopes = m[3]?.split(",").filter(Boolean);
  return { kind: m[1] === "u" ? "user" : "robot", id: BigInt(m[2]!), ...(scopes ? { scopes } : {}) };
}

export function principalName(p: Principal): string | null {
  if (p.kind === "user") return p.username;
  if (p.kind === "robot") return robotFullName(p.namespace, p.name);
  return null;
}
