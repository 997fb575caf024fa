// Repository lookup and creation. Creation (console, API or first push) always applies the organization's
// default permissions and writes a create_repo audit entry.
import type { Db } from "../infra/database.js";
import type { UnitOfWork } from "../events/unit-of-work.js";
import { roleAllows, roleRank, type AuthzService, type RepoAction } from "../access/authz.js";
import { badInput, conflict, DomainError, forbidden, notFound } from "../common/errors.js";
import { splitRepository } from "../tenancy/names.js";
import { purgeRepositories } from "../tenancy/namespaces.js";
import {
  containsPattern,
  decodeCursor,
  pageSize,
  toPage,
  type Page,
  type PageArgs,
} from "../common/paging.js";
import { Prisma } from "../generated/prisma/client.js";
import type { Principal } from "../access/principal.js";
import { isValidRepositoryName } from "@hm/oci";
import { assertWritableBy, STATE_NAMES, type RepositoryState, type Writer } from "./repository-state.js";

export type RepositoryWithNamespace = NonNullable<Awaited<ReturnType<RepositoryService["find"]>>>;

export class RepositoryService {
  constructor(
    private readonly db: Db,
    private readonly authz: AuthzService,
    private readonly uow: UnitOfWork,
  ) {}

  async find(full: string) {
    const parts = splitRepository(full);
    if (!parts) return null;
    return this.db.repository.findFirst({
      where: { name: parts.name, namespace: { name: parts.namespace } },
      include: { namespace: { select: { id: true, name: true, kind: true } } },
    });
  }

  /** Repositories by id, with their namespace (ids that no longer exist are skipped). */
  byIds(ids: bigint[]): Promise<RepositoryWithNamespace[]> {
    if (!ids.length) return Promise.resolve([]);
    return this.db.repository.findMany({
      where: { id: { in: ids } },
      include: { namespace: { select: { id: true, name: true, kind: true } } },
    });
  }

  async create(
    principal: Principal,
    input: { namespace: string; name: string; description?: string; visibility?: "public" | "private" },
    ip?: string | null,
  ) {
    const full = `${input.namespace}/${input.name}`;
    if (!isValidRepositoryName(full)) throw badInput(`Invalid repository name: ${full}`);
    const ns = await this.db.namespace.findUnique({ where: { name: input.namespace } });
    if (!ns) throw notFound(`Namespace ${input.namespace}`);
    if (principal.kind === "anonymous") throw new DomainError("UNAUTHENTICATED", "You must be signed in");
    if (!(await this.authz.namespaceAllows(principal, ns.id, "create_repo"))) {
      throw forbidden(`You do not have permission to create repositories in ${input.namespace}`);
    }
    const repo = await this.uow
      .run(async (w) => {
        const { tx } = w;
        const existing = await tx.repository.findUnique({
          where: { namespaceId_name: { namespaceId: ns.id, name: input.name } },
        });
        if (existing) throw conflict("Repository already exists");
        const repo = await tx.repository.create({
          data: {
            namespaceId: ns.id,
            name: input.name,
            description: input.description ?? "",
            visibility: input.visibility ?? "private",
          },
        });
        const creatorId = principal.kind === "user" ? principal.userId : null;
        const defaults = await tx.defaultPermission.findMany({
          where: {
            namespaceId: ns.id,
            OR: [{ creatorUserId: null }, ...(creatorId ? [{ creatorUserId: creatorId }] : [])],
          },
        });
        for (const d of defaults) {
          const grantee = d.delegateUserId
            ? { userId: d.delegateUserId }
            : d.delegateTeamId
              ? { teamId: d.delegateTeamId }
              : { robotId: d.delegateRobotId! };
          const key = Object.entries(grantee)[0]!;
          const prior = await tx.repositoryPermission.findFirst({
            where: { repositoryId: repo.id, [key[0]]: key[1] },
          });
          if (!prior)
            await tx.repositoryPermission.create({
              data: { repositoryId: repo.id, role: d.role, ...grantee },
            });
          else if (roleRank(d.role) > roleRank(prior.role))
            await tx.repositoryPermission.update({ where: { id: prior.id }, data: { role: d.role } });
        }
        // As in Quay, whoever creates a repository in an organization keeps access to it: a user becomes its
        // admin, a robot (creating by push) keeps write.
        if (principal.kind === "user" && principal.namespaceId !== ns.id) {
          await tx.repositoryPermission.upsert({
            where: { repositoryId_userId: { repositoryId: repo.id, userId: principal.userId } },
            create: { repositoryId: repo.id, userId: principal.userId, role: "admin" },
            update: { role: "admin" },
          });
        }
        if (principal.kind === "robot") {
          await tx.repositoryPermission.upsert({
            where: { repositoryId_robotId: { repositoryId: repo.id, robotId: principal.robotId } },
            create: { repositoryId: repo.id, robotId: principal.robotId, role: "write" },
            update: {},
          });
        }
        w.auditRepo(
          "create_repo",
          { principal, ip },
          { ...repo, namespace: ns },
          { visibility: repo.visibility },
        );
        return repo;
      })
      .catch((e: { code?: string }) => {
        throw e.code === "P2002" ? conflict("Repository already exists") : e;
      });
    return { ...repo, namespace: { id: ns.id, name: ns.name, kind: ns.kind } };
  }

  /** The repository a push targets, created private when it does not exist and the caller may create it. */
  async findOrCreateForPush(
    principal: Principal,
    full: string,
    ip?: string | null,
  ): Promise<RepositoryWithNamespace> {
    const existing = await this.find(full);
    if (existing) return existing;
    const parts = splitRepository(full);
    if (!parts) throw badInput("Repository names must have a namespace: namespace/name");
    try {
      return await this.create(principal, { namespace: parts.namespace, name: parts.name }, ip);
    } catch (e) {
      if ((e as { code?: string }).code === "CONFLICT") return (await this.find(full))!; // a concurrent push created it
      throw e;
    }
  }

  /** Full names of the repositories the principal may see, in byte order, for `_catalog`. */
  async listVisibleNames(p: Principal, n: number, last: string | undefined): Promise<string[]> {
    const rows = await this.db.$queryRaw<{ full: string }[]>`
      SELECT n.name || '/' || r.name AS full
      FROM "Repository" r JOIN "Namespace" n ON n.id = r."namespaceId"
      WHERE ${this.authz.readableReposSql(p)} AND (n.name || '/' || r.name) COLLATE "C" > ${last ?? ""}
      ORDER BY (n.name || '/' || r.name) COLLATE "C" LIMIT ${Math.min(n, 10_000)}`;
    return rows.map((r) => r.full);
  }

  /** Repositories the principal may see, filtered, in name order, one page at a time. */
  async list(p: Principal, args: RepositoryListArgs): Promise<Page<RepositoryRow>> {
    const n = pageSize(args);
    const after = decodeCursor(args.after)?.[0] ?? "";
    const userId = p.kind === "user" ? p.userId : -1n;
    const filters: Prisma.Sql[] = [this.authz.readableReposSql(p)];
    if (args.namespace) filters.push(Prisma.sql`n.name = ${args.namespace}`);
    if (args.publicOnly) filters.push(Prisma.sql`r.visibility = 'public'`);
    if (args.mine) filters.push(this.authz.involvedReposSql(p));
    if (args.starred)
      filters.push(
        Prisma.sql`EXISTS (SELECT 1 FROM "Star" s WHERE s."repositoryId" = r.id AND s."userId" = ${userId})`,
      );
    if (args.search) {
      const like = containsPattern(args.search);
      filters.push(Prisma.sql`(r.name ILIKE ${like} OR r.description ILIKE ${like} OR n.name ILIKE ${like})`);
    }
    const where = Prisma.join(filters, " AND ");
    const [rows, counted] = await Promise.all([
      this.db.$queryRaw<RepositoryRow[]>`
        SELECT r.id, r."namespaceId", n.name AS "namespaceName", n.kind AS "namespaceKind", r.name,
               r.description, r.visibility::text AS visibility, r.kind::text AS kind, r.state::text AS state,
               r."createdAt", r."updatedAt"
        FROM "Repository" r JOIN "Namespace" n ON n.id = r."namespaceId"
        WHERE ${where} AND (n.name || '/' || r.name) COLLATE "C" > ${after}
        ORDER BY (n.name || '/' || r.name) COLLATE "C" LIMIT ${n + 1} OFFSET ${args.offset ?? 0}`,
      args.withTotal === false
        ? null
        : this.db.$queryRaw<{ c: bigint }[]>`
        SELECT count(*) AS c FROM "Repository" r JOIN "Namespace" n ON n.id = r."namespaceId" WHERE ${where}`,
    ]);
    const total = counted ? Number(counted[0]!.c) : undefined;
    return toPage(rows, n, (r) => [`${r.namespaceName}/${r.name}`], total);
  }

  /**
   * The repository `namespace/name` after checking the caller's action on it, with one role computation.
   * A caller who may not even read a private repository is told it does not exist.
   */
  async require(p: Principal, full: string, action: RepoAction = "read"): Promise<RepositoryWithNamespace> {
    const repo = await this.find(full);
    const role = repo ? await this.authz.repoRole(p, repo) : null;
    if (!repo || !role) throw notFound(`Repository ${full}`);
    if (!roleAllows(role, action)) {
      if (p.kind === "anonymous") throw new DomainError("UNAUTHENTICATED", "You must be signed in");
      throw forbidden(`You need ${action} permission on ${full}`);
    }
    return repo;
  }

  /** `require` for a change: the role, then the repository's state (a mirror takes its robot's writes only). */
  async requireWritable(p: Principal, full: string, action: RepoAction = "write") {
    const repo = await this.require(p, full, action);
    await assertWritableBy(this.db, repo, p);
    return repo;
  }

  /** Refuses a write the repository's state does not take from `who` (/v2 pushes, by token reference). */
  assertWritableBy(repo: { id: bigint; state: string }, who: Writer): Promise<void> {
    return assertWritableBy(this.db, repo, who);
  }

  /** Quay's changestate (repository admins); MIRROR only where mirroring is on (`mirrorAllowed`). */
  async setState(
    p: Principal,
    full: string,
    state: RepositoryState,
    opts: { mirrorAllowed: boolean },
    ip?: string | null,
  ): Promise<RepositoryWithNamespace> {
    const repo = await this.require(p, full, "admin");
    if (state === "mirror" && !opts.mirrorAllowed) throw badInput("Unknown Repository State: MIRROR");
    return this.uow.run(async (w) => {
      const updated = await w.tx.repository.update({
        where: { id: repo.id },
        data: { state },
        include: { namespace: { select: { id: true, name: true, kind: true } } },
      });
      w.auditRepo("change_repo_state", { principal: p, ip }, repo, { state_changed: STATE_NAMES[state] });
      return updated;
    });
  }

  get(p: Principal, namespace: string, name: string, action: RepoAction = "read") {
    return this.require(p, `${namespace}/${name}`, action);
  }

  async update(
    p: Principal,
    namespace: string,
    name: string,
    input: { description?: string | null; visibility?: "public" | "private" | null },
    ip?: string | null,
  ) {
    const repo = await this.get(p, namespace, name, input.visibility ? "admin" : "write");
    if (input.description != null && input.description.length > 100_000)
      throw badInput("Description is too long");
    return this.uow.run(async (w) => {
      const updated = await w.tx.repository.update({
        where: { id: repo.id },
        data: {
          ...(input.description != null ? { description: input.description } : {}),
          ...(input.visibility ? { visibility: input.visibility } : {}),
        },
        include: { namespace: { select: { id: true, name: true, kind: true } } },
      });
      if (input.description != null && input.description !== repo.description)
        w.auditRepo("set_repo_description", { principal: p, ip }, repo, { description: input.description });
      if (input.visibility && input.visibility !== repo.visibility)
        w.auditRepo("change_repo_visibility", { principal: p, ip }, repo, { visibility: input.visibility });
      return updated;
    });
  }

  async delete(p: Principal, namespace: string, name: string, confirm: string, ip?: string | null) {
    const repo = await this.get(p, namespace, name, "admin");
    if (confirm !== `${namespace}/${name}` && confirm !== name)
      throw badInput("Type the repository name to confirm deleting it");
    await this.uow.run(
      async (w) => {
        await purgeRepositories(w.tx, { id: repo.id });
        w.auditRepo("delete_repo", { principal: p, ip }, repo, {}, { repositoryGone: true });
      },
      { timeout: 60_000 },
    );
  }

  async setStar(p: Principal, namespace: string, name: string, starred: boolean) {
    const u = this.authz.requireUser(p);
    const repo = await this.get(p, namespace, name);
    if (starred)
      await this.db.star.createMany({
        data: [{ userId: u.userId, repositoryId: repo.id }],
        skipDuplicates: true,
      });
    else await this.db.star.deleteMany({ where: { userId: u.userId, repositoryId: repo.id } });
    return repo;
  }
}

export interface RepositoryListArgs extends PageArgs {
  namespace?: string | null;
  starred?: boolean | null;
  publicOnly?: boolean | null;
  /** Only repositories the caller is involved in: own namespace, organizations they belong to, grants. */
  mine?: boolean | null;
  search?: string | null;
  /** Rows to skip (page-numbered lists such as Quay's search); with a cursor, counted after it. */
  offset?: number | null;
  /** false: no totalCount (a list that pages by token alone saves the count). */
  withTotal?: boolean;
}

export interface RepositoryRow {
  id: bigint;
  namespaceId: bigint;
  namespaceName: string;
  namespaceKind: "user" | "organization";
  name: string;
  description: string;
  visibility: "public" | "private";
  kind: string;
  state: string;
  createdAt: Date;
  updatedAt: Date;
}
