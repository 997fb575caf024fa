// Organizations: creation (the creator lands in an `owners` team with the admin role), settings, deletion
// (confirmed by name; cascades to repositories, teams and robots) and listings.
import type { Db } from "../infra/database.js";
import type { AccountService } from "./accounts.js";
import type { AuditService } from "../audit/writer.js";
import { hasScope, type AuthzService } from "../access/authz.js";
import { badInput, conflict, notFound } from "../common/errors.js";
import { checkEmail, purgeNamespace, type NamespaceService } from "./namespaces.js";
import { decodeCursor, pageSize, toPage, type PageArgs } from "../common/paging.js";
import type { Principal } from "../access/principal.js";

export class OrganizationService {
  constructor(
    private readonly db: Db,
    private readonly accounts: AccountService,
    private readonly namespaces: NamespaceService,
    private readonly authz: AuthzService,
    private readonly audit: AuditService,
  ) {}

  async get(name: string) {
    const ns = await this.db.namespace.findUnique({ where: { name } });
    if (!ns || ns.kind !== "organization") throw notFound(`Organization ${name}`);
    return ns;
  }

  async create(p: Principal, input: { name: string; email?: string | null }, ip?: string | null) {
    const u = this.authz.requireUser(p, "user:admin");
    this.accounts.validateNamespaceName(input.name);
    const email = input.email ? checkEmail(input.email) : null;
    if (email) await this.namespaces.ensureEmailFree(email);
    if (email && (await this.db.user.findUnique({ where: { email } })))
      throw conflict("The e-mail address is already in use");
    const org = await this.db.namespace
      .create({
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
      })
      .catch((e: { code?: string }) => {
        throw e.code === "P2002" ? conflict("A user or organization with this name already exists") : e;
      });
    await this.audit.record({
      kind: "org_create",
      principal: p,
      namespaceId: org.id,
      ip,
      metadata: { namespace: org.name },
    });
    return org;
  }

  async update(
    p: Principal,
    name: string,
    input: { email?: string | null; timeMachine?: string | null },
    ip?: string | null,
  ) {
    const org = await this.get(name);
    await this.authz.requireNamespace(p, org.id, "admin");
    const data: { email?: string; timeMachineSeconds?: number } = {};
    if (input.email != null) {
      data.email = checkEmail(input.email);
      await this.namespaces.ensureEmailFree(data.email, org.id);
    }
    if (input.timeMachine != null)
      data.timeMachineSeconds = this.namespaces.parseTimeMachine(input.timeMachine);
    const updated = await this.db.namespace.update({ where: { id: org.id }, data });
    if (data.email !== undefined && data.email !== org.email)
      await this.audit.record({
        kind: "org_change_email",
        principal: p,
        namespaceId: org.id,
        ip,
        metadata: { email: data.email },
      });
    if (data.timeMachineSeconds !== undefined && data.timeMachineSeconds !== org.timeMachineSeconds)
      await this.audit.record({
        kind: "change_namespace_tag_expiration",
        principal: p,
        namespaceId: org.id,
        ip,
        metadata: { namespace: name, tag_expiration: input.timeMachine },
      });
    return updated;
  }

  async delete(p: Principal, name: string, confirm: string, ip?: string | null) {
    const org = await this.get(name);
    // Superusers may delete any organization (the superuser panel); others must administer it.
    if (!(p.kind === "user" && p.superuser && hasScope(p, "super:user")))
      await this.authz.requireNamespace(p, org.id, "admin");
    if (confirm !== name) throw badInput("Type the organization name to confirm deleting it");
    await this.db.$transaction((tx) => purgeNamespace(tx, org.id), { timeout: 60_000 });
    await this.audit.record({ kind: "org_delete", principal: p, ip, metadata: { namespace: name } });
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
