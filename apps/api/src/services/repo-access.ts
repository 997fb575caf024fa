// Resolves "namespace/name" and checks the caller's action on it, for the services the API calls.
// A caller who may not even read a private repository is told it does not exist.
import { roleAllows, type AuthzService, type RepoAction } from "./authz.js";
import { forbidden, notFound } from "./errors.js";
import type { Principal } from "./principal.js";
import type { RepositoryService, RepositoryWithNamespace } from "./repositories.js";

export class RepoAccess {
  constructor(
    private readonly repos: RepositoryService,
    private readonly authz: AuthzService,
  ) {}

  async require(p: Principal, full: string, action: RepoAction): Promise<RepositoryWithNamespace> {
    const repo = await this.repos.find(full);
    if (!repo) throw notFound(`Repository ${full}`);
    const role = await this.authz.repoRole(p, repo);
    if (!role) throw notFound(`Repository ${full}`);
    if (!roleAllows(role, action)) {
      throw forbidden(`You need ${action} permission on ${full}`);
    }
    return repo;
  }
}
