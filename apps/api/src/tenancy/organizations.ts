// Organizations: creation (the creator lands in an `owners` team with the admin role), settings, deletion
// (confirmed by name; cascades to repositories, teams and robots) and listings.
import type { Db } from "../infra/database.js";
import type { AccountService } from "./accounts.js";
import type { UnitOfWork } from "../events/unit-of-work.js";
import { hasScope, type AuthzService } from "../access/authz.js";
import { badInput, conflict } from "../common/errors.js";
import { checkEmail, purgeNamespace, type NamespaceService } from "./namespaces.js";
import { decodeCursor, pageSize, toPage, type PageArgs } from "../common/paging.js";
import type { Principal } from "../access/principal.js";

export class OrganizationService {
  constructor(
    private readonly db: Db,
    private readonly accounts: AccountService,
    private readonly namespaces: NamespaceService,
    private readonly authz: AuthzService,
    private readonly uow: UnitOfWork,
  ) {}

  get(name: string) {
    return this.namespaces.byName(name, "organization");
  }

  async create(p: Principal, input: { name: string; email?: string | null }, ip?: string | null) {
    const u = this.authz.requireUser(p, "user:admin");
    this.accounts.validateNamespaceName(input.name);
    const email = input.email ? checkEmail(input.email) : null;
    if (email) await this.namespaces.ensureEmailFree(email);
    if (email && (await this.db.user.findUnique({ where: { email } })))
      throw conflict("The e-mail address is already in use");
    return this.uow
      .run(async (w) => {
        const org = await w.tx.namespace.create({
          data: {
            name: input.name,
            kind: "organization",
            timeMachineSeconds: this.accounts.defaultTimeMachineSeconds,
            email,
            teams: {
              create: {
                name: "owners",
                role: "admin",
                description: "Administrators of this organization",
                members: { create: { userId: u.userId } },
              },
            },
          },
        });
        w.audit("org_create", { principal: p, namespaceId: org.id, ip }, { namespace: org.name });
        return org;
      })
      .catch((e: { code?: string }) => {
        throw e.code === "P2002" ? conflict("A user or organization with this name already exists") : e;
      });
  }

  async update(
    p: Principal,
    name: string,
    input: { email?: string | null; timeMachine?: string | null },
    ip?: string | null,
  ) {
    const org = await this.namespaces.requireNamespace(p, name, "admin", "organization");
    const data: { email?: string; timeMachineSeconds?: number } = {};
    if (input.email != null) {
      data.email = checkEmail(input.email);
      await this.namespaces.ensureEmailFree(data.email, org.id);
    }
    const window = input.timeMachine;
    if (window != null) data.timeMachineSeconds = this.namespaces.parseTimeMachine(window);
    return this.uow.run(async (w) => {
      // The settings as they stand in this transaction decide which changes are recorded.
      const before = await w.tx.namespace.findUniqueOrThrow({ where: { id: org.id } });
      const updated = await w.tx.namespace.update({ where: { id: org.id }, data });
      const by = { principal: p, namespaceId: org.id, ip };
      if (data.email !== undefined && data.email !== before.email)
        w.audit("org_change_email", by, { email: data.email });
      if (window != null && data.timeMachineSeconds !== before.timeMachineSeconds)
        w.audit("change_namespace_tag_expiration", by, { namespace: name, tag_expiration: window });
      return updated;
    });
  }

  async delete(p: Principal, name: string, confirm: string, ip?: string | null) {
    const org = await this.get(name);
    // Superusers may delete any organization (the superuser panel); others must administer it.
    if (!(p.kind === "user" && p.superuser && hasScope(p, "super:user")))
      await this.authz.requireNamespace(p, org.id, "admin");
    if (confirm !== name) throw badInput("Type the organization name to confirm deleting it");
    await this.uow.run(
      async (w) => {
        await purgeNamespace(w.tx, org.id);
        w.audit("org_delete", { principal: p, ip }, { namespace: name });
      },
      { timeout: 60_000 },
    );
  }

  /** A superuser renames an organization; its repositories, teams and robots follow (they refer to it by id). */
  async rename(p: Principal, name: string, newName: string, ip?: string | null) {
    this.authz.requireSuperuser(p);
    const org = await this.get(name);
    this.accounts.validateNamespaceName(newName);
    if (newName === name) return org;
    return this.uow
      .run(async (w) => {
        const renamed = await w.tx.namespace.update({ where: { id: org.id }, data: { name: newName } });
        w.audit(
          "org_change_name",
          { principal: p, namespaceId: org.id, ip },
          { old_name: name, new_name: newName },
        );
        return renamed;
      })
      .catch((e: { code?: string }) => {
        throw e.code === "P2002" ? conflict("A user or organization with this name already exists") : e;
      });
  }

  /** Organizations the principal belongs to (through any team). */
  async mine(p: Principal) {
    if (p.kind === "anonymous") return [];
    const who = p.kind === "user" ? { userId: p.userId } : { robotId: p.robotId };
    return this.db.namespace.findMany({
      where: { kind: "organization", teams: { some: { members: { some: who } } } },
      orderBy: { name: "asc" },
    });
  }

  /** Every organization (superuser panel). */
  async list(p: Principal, args: PageArgs & { filter?: string | null }) {
    this.authz.requireSuperuser(p);
    const n = pageSize(args);
    const after = decodeCursor(args.after)?.[0];
    const base = {
      kind: "organization" as const,
      ...(args.filter ? { name: { contains: args.filter.toLowerCase() } } : {}),
    };
    const [rows, total] = await Promise.all([
      this.db.namespace.findMany({
        where: { ...base, ...(after ? { AND: [{ name: { gt: after } }] } : {}) },
        orderBy: { name: "asc" },
        take: n + 1,
      }),
      this.db.namespace.count({ where: base }),
    ]);
    return toPage(rows, n, (o) => [o.name], total);
  }
}
