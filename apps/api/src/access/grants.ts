// Narrows requested registry scopes to what a principal may actually do. Used by the token endpoint and by
// Basic-authenticated /v2 requests alike, so both doors grant exactly the same.
import { isValidRepositoryName } from "@hm/oci";
import type { AuthzService } from "./authz.js";
import type { Principal } from "./principal.js";
import type { RepositoryService } from "../content/repositories.js";
import type { Db } from "../infra/database.js";
import { splitRepository } from "../tenancy/names.js";
import type { Grant } from "./registry-tokens.js";

export interface RequestedScope {
  type: string;
  name: string;
  actions: string[];
}

/** Parses `repository:ns/app:pull,push` (names may contain ':' only before the last segment's actions). */
export function parseScope(scope: string): RequestedScope | null {
  const first = scope.indexOf(":");
  const last = scope.lastIndexOf(":");
  if (first < 0 || last === first) return null;
  const type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  const actions = scope
    .slice(last + 1)
    .split(",")
    .filter(Boolean);
  return { type, name, actions };
}

export class GrantService {
  constructor(
    private readonly db: Db,
    private readonly authz: AuthzService,
    private readonly repos: RepositoryService,
  ) {}

  /** The proxy cache's rule (proxy/): members of a proxy organization pull through it, as in Quay. */
  private pullThrough: ((p: Principal, namespace: string) => Promise<boolean>) | null = null;

  usePullThrough(rule: (p: Principal, namespace: string) => Promise<boolean>): void {
    this.pullThrough = rule;
  }

  async grant(principal: Principal, requested: RequestedScope[]): Promise<Grant[]> {
    const out: Grant[] = [];
    for (const s of requested.slice(0, 20)) {
      if (s.type === "registry" && s.name === "catalog") {
        out.push({ type: "registry", name: "catalog", actions: ["*"] });
        continue;
      }
      if (s.type !== "repository" || !isValidRepositoryName(s.name)) continue;
      const actions = await this.repoActions(principal, s.name);
      if (this.pullThrough && !actions.includes("pull")) {
        if (await this.pullThrough(principal, splitRepository(s.name)?.namespace ?? "")) actions.push("pull");
      }
      const granted = s.actions.includes("*") ? actions : s.actions.filter((a) => actions.includes(a));
      out.push({ type: "repository", name: s.name, actions: [...new Set(granted)] });
    }
    return out;
  }

  /** Every registry action the principal may perform on a repository (existing or about to be created). */
  async repoActions(principal: Principal, full: string): Promise<string[]> {
    const repo = await this.repos.find(full);
    if (!repo) {
      const parts = splitRepository(full);
      if (!parts) return [];
      const ns = await this.db.namespace.findUnique({ where: { name: parts.namespace } });
      if (!ns || !(await this.authz.namespaceAllows(principal, ns.id, "create_repo"))) return [];
      // The creator will hold admin (users) or write (robots) on what they create.
      return ["pull", "push", "delete"];
    }
    const role = await this.authz.repoRole(principal, repo);
    if (!role) return [];
    // The repository's state (read-only, mirror) does not narrow the grant: a writer's push reaches the
    // repository, which takes its mirror robot's writes and refuses the others saying why ("repository is
    // mirrored"), where a narrowed token would only make clients report "unauthorized".
    if (role === "read") return ["pull"];
    if (role === "write") return ["pull", "push", "delete"];
    return ["pull", "push", "delete", "*"];
  }
}
