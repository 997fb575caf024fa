// What users and organizations share: the namespace row, its settings (e-mail, time-machine window) and
// deletion with everything inside it.
import type { Db } from "../infra/database.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { AuthzService, NamespaceAction } from "../access/authz.js";
import type { Principal } from "../access/principal.js";
import { parseDuration } from "../config/config.js";
import { badInput, conflict, notFound } from "../common/errors.js";

type Tx = Prisma.TransactionClient;

/**
 * Deletes repositories with their tags and manifests in an order the RESTRICT keys accept (tags, then
 * index→child links, then manifests). Blob files are left to garbage collection, which owns them.
 */
export async function purgeRepositories(tx: Tx, where: Prisma.RepositoryWhereInput): Promise<number> {
  const repos = await tx.repository.findMany({ where, select: { id: true } });
  const ids = repos.map((r) => r.id);
  if (!ids.length) return 0;
  await tx.tag.deleteMany({ where: { repositoryId: { in: ids } } });
  await tx.manifestChild.deleteMany({ where: { parent: { repositoryId: { in: ids } } } });
  await tx.manifest.deleteMany({ where: { repositoryId: { in: ids } } });
  await tx.repository.deleteMany({ where: { id: { in: ids } } });
  return ids.length;
}

/** Deletes a namespace (user or organization) and everything it owns. */
export async function purgeNamespace(tx: Tx, namespaceId: bigint): Promise<void> {
  await purgeRepositories(tx, { namespaceId });
  await tx.namespace.delete({ where: { id: namespaceId } });
}

export class NamespaceService {
  constructor(
    private readonly db: Db,
    private readonly authz: AuthzService,
    private readonly timeMachineOptions: readonly string[],
  ) {}

  /** The namespace named `name`, or with `kind` "organization" the organization (404 otherwise). */
  async byName(name: string, kind?: "organization") {
    const ns = await this.db.namespace.findUnique({ where: { name } });
    if (!ns || (kind && ns.kind !== kind))
      throw notFound(`${kind === "organization" ? "Organization" : "Namespace"} ${name}`);
    return ns;
  }

  /** The namespace (organization with `kind`), after checking the principal may do `action` there. */
  async requireNamespace(p: Principal, name: string, action: NamespaceAction, kind?: "organization") {
    const ns = await this.byName(name, kind);
    await this.authz.requireNamespace(p, ns.id, action);
    return ns;
  }

  /** Quay offers the configured choices only (TAG_EXPIRATION_OPTIONS); answers the window in seconds. */
  parseTimeMachine(window: string): number {
    const seconds = parseDuration(window);
    if (seconds === null || !this.timeMachineOptions.includes(window)) {
      throw badInput(`Time machine window must be one of: ${this.timeMachineOptions.join(", ")}`);
    }
    return seconds;
  }

  /** The configured choice whose length is `seconds` (Quay's tag_expiration_s), or BAD_USER_INPUT. */
  timeMachineOption(seconds: number): string {
    const option = this.timeMachineOptions.find((o) => parseDuration(o) === seconds);
    if (option === undefined)
      throw badInput(
        `Invalid tag expiration option: must be one of ${this.timeMachineOptions.map((o) => parseDuration(o)).join(", ")} seconds`,
      );
    return option;
  }

  async ensureEmailFree(email: string, exceptNamespaceId?: bigint): Promise<void> {
    const taken = await this.db.namespace.findFirst({
      where: { email, ...(exceptNamespaceId ? { NOT: { id: exceptNamespaceId } } : {}) },
    });
    if (taken) throw conflict("The e-mail address is already in use");
  }
}

export const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export function checkEmail(email: string): string {
  const e = email.trim();
  if (!EMAIL_RE.test(e) || e.length > 255) throw badInput("Invalid e-mail address");
  return e;
}
