// Who is acting. Every door (GraphQL, /v2, workers) resolves its caller to one of these.
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

/** Compact reference carried in registry tokens (`u:<id>`, `r:<id>` or `a`), so /v2 never looks the caller up. */
export function principalRef(p: Principal): string {
  return p.kind === "user" ? `u:${p.userId}` : p.kind === "robot" ? `r:${p.robotId}` : "a";
}

export function principalName(p: Principal): string | null {
  if (p.kind === "user") return p.username;
  if (p.kind === "robot") return `${p.namespace}+${p.name}`;
  return null;
}
