// Build triggers (Quay's trigger module): created for a source service with an SSH deploy key and webhook
// secrets, activated with their configuration (regex, Dockerfile, context, tagging, pull robot), enabled or
// disabled, run by hand on a branch, tag or commit, and reached by their service's push webhooks.
import crypto from "node:crypto";
import type { Db } from "../infra/database.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { Principal } from "../access/principal.js";
import type { Encryptor } from "../access/secrets.js";
import type { UnitOfWork } from "../events/unit-of-work.js";
import type { RepositoryWithNamespace } from "../content/repositories.js";
import { badInput, notFound } from "../common/errors.js";
import {
  checkTriggerConfig,
  generateDeployKeyAsync,
  manualMetadata,
  SOURCES,
  tagsFor,
  webhookUrl,
  type WebhookRequest,
} from "./sources/index.js";
import type { BuildRow, BuildService } from "./service.js";
import { normalizePath } from "./service.js";
import { TRIGGER_SERVICES, type TriggerConfig, type TriggerMetadata, type TriggerService } from "./types.js";

export type TriggerRow = Prisma.BuildTriggerGetPayload<{
  include: { pullRobot: { include: { namespace: true } }; connectedUser: true };
}>;
const INCLUDE = { pullRobot: { include: { namespace: true } }, connectedUser: true } as const;

interface Sealed {
  authToken: string;
  webhookSecret: string;
  privateKey: string;
}

/** A trigger as the doors show it; `credentials` for its admins (the deploy key and the webhook URL). */
export interface TriggerView {
  row: TriggerRow;
  config: TriggerConfig;
  credentials: { name: string; value: string }[];
  webhookUrl: string;
}

export interface ManualRun {
  branchName?: string | null;
  tagName?: string | null;
  commitSha?: string | null;
  refs?: { kind: "branch" | "tag"; name: string } | null;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const token = () =>
  crypto
    .randomBytes(30)
    .toString("base64url")
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, "X");

export class BuildTriggers {
  constructor(
    private readonly db: Db,
    private readonly uow: UnitOfWork,
    private readonly encryptor: Encryptor,
    private readonly builds: BuildService,
    private readonly site: { scheme: string; host: string },
  ) {}

  view(row: TriggerRow): TriggerView {
    const sealed = this.unseal(row);
    const url = webhookUrl(this.site.scheme, this.site.host, row.uuid, sealed.authToken);
    const credentials = [
      ...(row.publicKey ? [{ name: "SSH Public Key", value: row.publicKey }] : []),
      { name: "Webhook Endpoint URL", value: url },
      ...(row.service !== "custom-git" ? [{ name: "Webhook Secret", value: sealed.webhookSecret }] : []),
    ];
    return { row, config: row.config as TriggerConfig, credentials, webhookUrl: url };
  }

  private unseal(row: { sealed: string }): Sealed {
    return JSON.parse(this.encryptor.decrypt(row.sealed)) as Sealed;
  }

  async list(p: Principal, full: string): Promise<TriggerView[]> {
    const repo = await this.builds.repository(p, full, "admin");
    const rows = await this.db.buildTrigger.findMany({
      where: { repositoryId: repo.id },
      orderBy: { id: "asc" },
      include: INCLUDE,
    });
    return rows.map((r) => this.view(r));
  }

  async get(p: Principal, full: string, uuid: string): Promise<TriggerView> {
    const repo = await this.builds.repository(p, full, "admin");
    return this.view(await this.find(repo.id, uuid));
  }

  private async find(repositoryId: bigint, uuid: string): Promise<TriggerRow> {
    if (!UUID_RE.test(uuid)) throw notFound(`Trigger ${uuid}`);
    const row = await this.db.buildTrigger.findFirst({ where: { uuid, repositoryId }, include: INCLUDE });
    if (!row) throw notFound(`Trigger ${uuid}`);
    return row;
  }

  /**
   * A new trigger for `service`, inactive until activated, with its deploy key and webhook secrets; with
   * `config` it is activated at once (the console's wizard sends everything together).
   */
  async create(
    p: Principal,
    full: string,
    input: { service: string; config?: Record<string, unknown> | null; pullRobot?: string | null },
    ip?: string | null,
  ): Promise<TriggerView> {
    const repo = await this.builds.repository(p, full, "admin");
    if (!(TRIGGER_SERVICES as readonly string[]).includes(input.service))
      throw badInput(`Unknown trigger service: ${input.service}`);
    // Checked before anything is written: a trigger with a bad configuration is not left behind.
    const config = input.config ? this.checkConfig(input.service as TriggerService, input.config) : null;
    const pullRobotId = config && input.pullRobot ? await this.builds.pullRobot(repo, input.pullRobot) : null;
    const key = await generateDeployKeyAsync(`${repo.namespace.name}/${repo.name} build trigger`);
    const sealed: Sealed = { authToken: token(), webhookSecret: token(), privateKey: key.privateKey };
    const uuid = await this.uow.run(async (w) => {
      const t = await w.tx.buildTrigger.create({
        data: {
          repositoryId: repo.id,
          service: input.service,
          sealed: this.encryptor.encrypt(JSON.stringify(sealed)),
          publicKey: key.publicKey,
          connectedUserId: p.kind === "user" ? p.userId : null,
          // Set up at once when the configuration comes with it (the console's wizard).
          ...(config
            ? { config: config as Prisma.InputJsonValue, pullRobotId, activatedAt: new Date() }
            : {}),
        },
      });
      if (config)
        w.auditRepo("setup_repo_trigger", { principal: p, ip }, repo, {
          trigger_id: t.uuid,
          service: t.service,
          config: config as Record<string, unknown>,
          pull_robot: input.pullRobot ?? null,
        });
      return t.uuid;
    });
    return this.view(await this.find(repo.id, uuid));
  }

  /** Quay's activate: the configuration checked and saved, and the trigger live. */
  async activate(
    p: Principal,
    full: string,
    uuid: string,
    input: { config: Record<string, unknown>; pullRobot?: string | null },
    ip?: string | null,
  ): Promise<TriggerView> {
    const repo = await this.builds.repository(p, full, "admin");
    const row = await this.find(repo.id, uuid);
    const config = this.checkConfig(row.service as TriggerService, input.config);
    const pullRobotId = input.pullRobot ? await this.builds.pullRobot(repo, input.pullRobot) : null;
    const updated = await this.uow.run(async (w) => {
      const t = await w.tx.buildTrigger.update({
        where: { id: row.id },
        data: { config: config as Prisma.InputJsonValue, pullRobotId, activatedAt: new Date() },
      });
      w.auditRepo("setup_repo_trigger", { principal: p, ip }, repo, {
        trigger_id: t.uuid,
        service: t.service,
        config: config as Record<string, unknown>,
        pull_robot: input.pullRobot ?? null,
      });
      return t;
    });
    return this.view(await this.find(repo.id, updated.uuid));
  }

  private checkConfig(service: TriggerService, config: Record<string, unknown>): TriggerConfig {
    try {
      return checkTriggerConfig(service, config);
    } catch (e) {
      throw badInput((e as Error).message);
    }
  }

  /** Enables or disables; enabling clears a self-disabling and its failure counts. */
  async setEnabled(p: Principal, full: string, uuid: string, enabled: boolean, ip?: string | null) {
    const repo = await this.builds.repository(p, full, "admin");
    const row = await this.find(repo.id, uuid);
    const updated = await this.uow.run(async (w) => {
      const t = await w.tx.buildTrigger.update({
        where: { id: row.id },
        data: enabled
          ? { enabled: true, disabledReason: null, successiveFailures: 0, successiveInternal: 0 }
          : { enabled: false, disabledReason: "user_toggled" },
      });
      w.auditRepo("toggle_repo_trigger", { principal: p, ip }, repo, {
        trigger_id: t.uuid,
        service: t.service,
        enabled,
      });
      return t;
    });
    return this.view(await this.find(repo.id, updated.uuid));
  }

  async delete(p: Principal, full: string, uuid: string, ip?: string | null): Promise<void> {
    const repo = await this.builds.repository(p, full, "admin");
    const row = await this.find(repo.id, uuid);
    await this.uow.run(async (w) => {
      await w.tx.buildTrigger.delete({ where: { id: row.id } });
      w.auditRepo("delete_repo_trigger", { principal: p, ip }, repo, {
        trigger_id: row.uuid,
        service: row.service,
      });
    });
  }

  /** "Run trigger now" on a branch, tag or commit. */
  async run(p: Principal, full: string, uuid: string, input: ManualRun): Promise<BuildRow> {
    const repo = await this.builds.repository(p, full, "write");
    const row = await this.find(repo.id, uuid);
    if (!row.activatedAt) throw badInput("The trigger is not set up yet");
    if (!row.enabled) throw badInput("The trigger is disabled");
    let metadata: TriggerMetadata;
    try {
      metadata = manualMetadata(
        {
          commitSha: input.commitSha ?? undefined,
          branchName: input.branchName ?? undefined,
          tagName: input.tagName ?? undefined,
          refs: input.refs ?? undefined,
        },
        undefined,
      ) as TriggerMetadata;
    } catch (e) {
      throw badInput((e as Error).message);
    }
    const build = await this.start(repo, row, metadata, p);
    if (!build) throw badInput("This commit is already being built by this trigger");
    return build;
  }

  /**
   * A push webhook: authenticated by the trigger's own secrets, parsed by its service, then a build unless
   * the push asks to be skipped. Answers what happened, for the sender's log.
   */
  async webhook(uuid: string, req: WebhookRequest): Promise<{ build: BuildRow | null; skipped?: string }> {
    if (!this.builds.enabled || !UUID_RE.test(uuid)) throw notFound("Trigger");
    const row = await this.db.buildTrigger.findUnique({ where: { uuid }, include: INCLUDE });
    if (!row) throw notFound("Trigger");
    const plugin = SOURCES[row.service as TriggerService];
    plugin.verify(req, this.unseal(row));
    if (!row.activatedAt) return { build: null, skipped: "the trigger is not set up yet" };
    if (!row.enabled) return { build: null, skipped: "the trigger is disabled" };
    const outcome = plugin.parse(req, row.config as TriggerConfig);
    if (outcome.kind === "skip") return { build: null, skipped: outcome.reason };
    const repo = await this.db.repository.findUniqueOrThrow({
      where: { id: row.repositoryId },
      include: { namespace: true },
    });
    const build = await this.start(repo as RepositoryWithNamespace, row, outcome.metadata, null);
    return build ? { build } : { build: null, skipped: "this commit is already being built" };
  }

  private start(
    repo: RepositoryWithNamespace,
    row: TriggerRow,
    metadata: TriggerMetadata,
    by: Principal | null,
  ) {
    const config = row.config as TriggerConfig;
    const context = normalizePath(config.context ?? "/");
    return this.builds.startTriggered(
      repo,
      {
        triggerId: row.id,
        service: row.service,
        uuid: row.uuid,
        metadata,
        tags: tagsFor(metadata, config),
        context,
        dockerfilePath: config.dockerfile_path ? normalizePath(config.dockerfile_path) : "",
        pullRobotId: row.pullRobotId,
      },
      by,
    );
  }
}
