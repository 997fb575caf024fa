// Builds as the doors see them (Quay's build module): start one by hand (an uploaded file or a URL), list a
// repository's builds, read one with its phases and log, cancel it. A start writes the build, its audit
// entry, its `build_queued` event and its job in one unit of work; the workers do the rest (runner.ts).
import type { Db } from "../infra/database.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { Principal } from "../access/principal.js";
import type { RepositoryService, RepositoryWithNamespace } from "../content/repositories.js";
import type { RobotService } from "../tenancy/robots.js";
import type { UnitOfWork, Work } from "../events/unit-of-work.js";
import type { BuildEventPayload } from "../events/catalogue.js";
import { badInput, DomainError, notFound } from "../common/errors.js";
import { parseRobotName } from "../tenancy/names.js";
import type { FileDrops } from "./filedrop.js";
import type { BuildLogs } from "./logs.js";
import { isTerminal, type Phase, type TriggerMetadata } from "./types.js";

export type BuildRow = Prisma.BuildGetPayload<{
  include: {
    repository: { include: { namespace: true } };
    trigger: true;
    pullRobot: { include: { namespace: true } };
    manualUser: true;
  };
}>;
export const BUILD_INCLUDE = {
  repository: { include: { namespace: true } },
  trigger: true,
  pullRobot: { include: { namespace: true } },
  manualUser: true,
} as const;

/** The API spells phases with hyphens; Prisma's enum cannot. */
export const phaseOf = (p: string): Phase => (p === "build_scheduled" ? "build-scheduled" : (p as Phase));

/** A build's source and options as a start names them (Quay's RepositoryBuildRequest). */
export interface StartInput {
  fileId?: string | null;
  archiveUrl?: string | null;
  dockerTags?: string[] | null;
  /** The context directory ("subdirectory" in older clients). */
  context?: string | null;
  dockerfilePath?: string | null;
  pullRobot?: string | null;
}

/** What a trigger hands to start (TriggerService). */
export interface TriggeredStart {
  triggerId: bigint;
  service: string;
  uuid: string;
  metadata: TriggerMetadata;
  tags: string[];
  context: string;
  dockerfilePath: string;
  pullRobotId: bigint | null;
  manualUser?: Principal | null;
}

/** The robot whose identity pushes built images (write on each repository it builds). */
export const BUILDER_ROBOT = "builds";
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export class BuildService {
  constructor(
    private readonly db: Db,
    private readonly repos: RepositoryService,
    private readonly robots: RobotService,
    private readonly uow: UnitOfWork,
    private readonly files: FileDrops,
    readonly logs: BuildLogs,
    readonly enabled: boolean,
  ) {}

  private requireEnabled(): void {
    if (!this.enabled) throw notFound("Build support");
  }

  /** The repository, checked for `action` (read to look, write to build, admin for triggers). */
  async repository(p: Principal, full: string, action: "read" | "write" | "admin" = "read") {
    this.requireEnabled();
    return this.repos.require(p, full, action);
  }

  /** Starts a build by hand: an uploaded file (filedrop id) or an archive URL. */
  async start(p: Principal, full: string, input: StartInput, ip?: string | null): Promise<BuildRow> {
    const repo = await this.repository(p, full, "write");
    if (repo.state === "mirror") throw badInput("Cannot build into a mirrored repository");
    if (!!input.fileId === !!input.archiveUrl)
      throw badInput("Exactly one of file_id or archive_url is required");
    if (input.archiveUrl) checkArchiveUrl(input.archiveUrl);
    const file = input.fileId ? await this.files.requireUploaded(p, input.fileId) : null;
    const tags = checkTags(input.dockerTags?.length ? input.dockerTags : ["latest"]);
    const context = normalizePath(input.context ?? "/");
    const dockerfilePath = input.dockerfilePath ? normalizePath(input.dockerfilePath) : "";
    const pullRobotId = input.pullRobot ? await this.pullRobot(repo, input.pullRobot) : null;
    const display = file ? "build from upload" : (input.archiveUrl ?? "");
    return this.create(repo, p, ip, {
      data: {
        repositoryId: repo.id,
        displayName: display.slice(0, 255),
        dockerTags: tags,
        fileId: file?.id ?? null,
        archiveUrl: input.archiveUrl ?? null,
        context,
        dockerfilePath,
        pullRobotId,
        manualUserId: p.kind === "user" ? p.userId : null,
      },
      trigger: null,
    });
  }

  /** A build started by a trigger (webhook or "Run trigger now"); null when that commit is already building. */
  async startTriggered(
    repo: RepositoryWithNamespace,
    t: TriggeredStart,
    by: Principal | null,
  ): Promise<BuildRow | null> {
    const tags = checkTags(t.tags.length ? t.tags : ["latest"]);
    return this.create(repo, by, null, {
      data: {
        repositoryId: repo.id,
        displayName: t.metadata.commit.slice(0, 7),
        dockerTags: tags,
        context: t.context,
        dockerfilePath: t.dockerfilePath,
        pullRobotId: t.pullRobotId,
        triggerId: t.triggerId,
        triggerMetadata: t.metadata as unknown as Prisma.InputJsonValue,
        commitSha: t.metadata.commit,
        manualUserId: by?.kind === "user" ? by.userId : null,
      },
      trigger: { service: t.service, uuid: t.uuid },
    }).catch((e: { code?: string }) => {
      // The partial unique index: this trigger already has an unfinished build of this commit.
      if (e.code === "P2002") return null;
      throw e;
    });
  }

  private async create(
    repo: RepositoryWithNamespace,
    p: Principal | null,
    ip: string | null | undefined,
    b: { data: Prisma.BuildUncheckedCreateInput; trigger: { service: string; uuid: string } | null },
  ): Promise<BuildRow> {
    const builder = await this.ensureBuilder(repo);
    const manualUser = p?.kind === "user" ? p.username : null;
    // No `include` inside the transaction: Prisma would run its reads in parallel on the one connection.
    const id = await this.uow.run(async (w) => {
      const now = new Date().toISOString();
      const build = await w.tx.build.create({ data: { ...b.data, phases: [{ phase: "waiting", at: now }] } });
      await grantWrite(w, repo, builder);
      w.auditRepo("build_dockerfile", { principal: p ?? SYSTEM, ip }, repo, {
        build_uuid: build.uuid,
        docker_tags: build.dockerTags,
        manual_user: manualUser,
        trigger_id: b.trigger?.uuid ?? null,
        trigger_kind: b.trigger?.service ?? null,
        commit_sha: build.commitSha,
      });
      w.emit(
        "build_queued",
        {
          repository: repo.name,
          namespace: repo.namespace.name,
          buildId: build.uuid,
          buildName: build.displayName,
          dockerTags: build.dockerTags,
          triggerKind: b.trigger?.service ?? null,
          triggerId: b.trigger?.uuid ?? null,
          triggerMetadata: (build.triggerMetadata as Record<string, unknown> | null) ?? null,
          isManual: !build.triggerId,
          manualUser,
        },
        repo.id,
      );
      w.enqueue("builds", "build", { buildId: String(build.id) });
      return build.id;
    });
    return this.db.build.findUniqueOrThrow({ where: { id }, include: BUILD_INCLUDE });
  }

  /** The namespace's builder robot, created on first use (its token is what the workers push with). */
  private async ensureBuilder(repo: RepositoryWithNamespace): Promise<bigint> {
    const found = await this.db.robot.findUnique({
      where: { namespaceId_name: { namespaceId: repo.namespaceId, name: BUILDER_ROBOT } },
    });
    if (found) return found.id;
    const made = await this.robots
      .create(
        repo.namespace.name,
        BUILDER_ROBOT,
        "Pushes the images of Dockerfile builds",
        (w, robot) =>
          w.audit("create_robot", { principal: SYSTEM, namespaceId: repo.namespaceId }, { robot }),
        { "harbormaster.builds": true },
      )
      .catch(async (e: DomainError) => {
        if (e.code !== "CONFLICT") throw e;
        return null;
      });
    if (made) return made.robot.id;
    const again = await this.db.robot.findUniqueOrThrow({
      where: { namespaceId_name: { namespaceId: repo.namespaceId, name: BUILDER_ROBOT } },
    });
    return again.id;
  }

  /** A pull robot must be of the repository's namespace (Quay's rule). */
  async pullRobot(repo: RepositoryWithNamespace, fullName: string): Promise<bigint> {
    const parsed = parseRobotName(fullName);
    if (!parsed || parsed.namespace !== repo.namespace.name)
      throw badInput(`Pull robot ${fullName} must be a robot of ${repo.namespace.name}`);
    const robot = await this.db.robot.findUnique({
      where: { namespaceId_name: { namespaceId: repo.namespaceId, name: parsed.short } },
    });
    if (!robot) throw badInput(`Pull robot ${fullName} does not exist`);
    return robot.id;
  }

  async list(
    p: Principal,
    full: string,
    opts: { limit: number; since?: Date | null; triggerUuid?: string },
  ): Promise<BuildRow[]> {
    const repo = await this.repository(p, full);
    if (opts.triggerUuid !== undefined && !UUID_RE.test(opts.triggerUuid)) throw notFound("Trigger");
    return this.db.build.findMany({
      where: {
        repositoryId: repo.id,
        ...(opts.since ? { createdAt: { gte: opts.since } } : {}),
        ...(opts.triggerUuid ? { trigger: { uuid: opts.triggerUuid } } : {}),
      },
      orderBy: { id: "desc" },
      take: opts.limit,
      include: BUILD_INCLUDE,
    });
  }

  async get(p: Principal, full: string, uuid: string): Promise<BuildRow> {
    const repo = await this.repository(p, full);
    if (!UUID_RE.test(uuid)) throw notFound(`Build ${uuid}`);
    const build = await this.db.build.findFirst({
      where: { uuid, repositoryId: repo.id },
      include: BUILD_INCLUDE,
    });
    if (!build) throw notFound(`Build ${uuid}`);
    return build;
  }

  /**
   * Cancels a build: one still waiting ends at once; a running one is asked to stop (its worker kills
   * buildah's process tree within a couple of seconds and records `cancelled`).
   */
  async cancel(p: Principal, full: string, uuid: string, ip?: string | null): Promise<BuildRow> {
    const build = await this.get(p, full, uuid);
    await this.repos.require(p, full, "write");
    if (isTerminal(phaseOf(build.phase))) throw badInput("Cannot cancel a build that has finished");
    const repo = build.repository;
    await this.uow.run(async (w) => {
      w.auditRepo("cancel_build", { principal: p, ip }, repo, { build_uuid: build.uuid });
      const waiting = await w.tx.build.updateMany({
        where: { id: build.id, phase: "waiting" },
        data: {
          phase: "cancelled",
          completedAt: new Date(),
          cancelRequestedAt: new Date(),
          phases: appendPhase(build.phases, "cancelled"),
        },
      });
      if (waiting.count) w.emit("build_cancelled", eventPayload(build), repo.id);
      else await w.tx.build.update({ where: { id: build.id }, data: { cancelRequestedAt: new Date() } });
    });
    await this.logs.publish(build.uuid, { kind: "phase", phase: "cancelled" }).catch(() => {});
    return this.get(p, full, uuid);
  }

  /** The build's log from `start` on, with the total stored. */
  async readLogs(p: Principal, full: string, uuid: string, start = 0) {
    const build = await this.get(p, full, uuid);
    return { build, ...(await this.logs.read(build.id, start)) };
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The payload every build event carries (seed 001 §12.1.2–12.1.6). */
export function eventPayload(b: BuildRow): BuildEventPayload {
  const meta = b.triggerMetadata as TriggerMetadata | null;
  return {
    repository: b.repository.name,
    namespace: b.repository.namespace.name,
    buildId: b.uuid,
    buildName: b.displayName,
    dockerTags: b.dockerTags,
    triggerKind: b.trigger?.service ?? null,
    triggerId: b.trigger?.uuid ?? null,
    triggerMetadata: meta as Record<string, unknown> | null,
    isManual: !b.triggerId,
    manualUser: b.manualUser?.username ?? null,
  };
}

export function appendPhase(phases: unknown, phase: Phase): Prisma.InputJsonValue {
  const list = Array.isArray(phases) ? (phases as { phase: string; at: string }[]) : [];
  return [...list, { phase, at: new Date().toISOString() }];
}

/** The system itself as the actor of what a build sets up on its own (the builder robot and its grant). */
const SYSTEM = { name: null, id: null };

async function grantWrite(w: Work, repo: RepositoryWithNamespace, robotId: bigint): Promise<void> {
  const key = { repositoryId_robotId: { repositoryId: repo.id, robotId } };
  const existing = await w.tx.repositoryPermission.findUnique({ where: key });
  if (existing && existing.role !== "read") return;
  await w.tx.repositoryPermission.upsert({
    where: key,
    create: { repositoryId: repo.id, robotId, role: "write" },
    update: { role: "write" },
  });
  const robot = `${repo.namespace.name}+${BUILDER_ROBOT}`;
  w.auditRepo(existing ? "change_repo_permission" : "add_repo_permission", { principal: SYSTEM }, repo, {
    robot,
    role: "write",
  });
}

function checkTags(tags: string[]): string[] {
  if (tags.length > 50) throw badInput("At most 50 tags per build");
  for (const t of tags) if (!TAG_RE.test(t)) throw badInput(`Invalid tag: ${t}`);
  return [...new Set(tags)];
}

function checkArchiveUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw badInput("archive_url must be an http(s) URL");
  }
  if (!/^https?:$/.test(u.protocol) || url.length > 2048)
    throw badInput("archive_url must be an http(s) URL");
}

/** A path inside the build source, as "/a/b" (no "..", no empty parts). */
export function normalizePath(raw: string): string {
  if (raw.length > 255) throw badInput("Path is too long");
  const parts = raw.split("/").filter((x) => x && x !== ".");
  if (parts.some((x) => x === "..")) throw badInput(`Path ${raw} leaves the build context`);
  return `/${parts.join("/")}`;
}
