// Robot accounts: `namespace+name`, token encrypted at rest so it can be shown again. Managed by the
// namespace's owner (user robots) or its organization admins.
import crypto from "node:crypto";
import YAML from "yaml";
import type { Db } from "../infra/database.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { UnitOfWork, Work } from "../events/unit-of-work.js";
import type { NamespaceService } from "./namespaces.js";
import { badInput, conflict, forbidden, notFound } from "../common/errors.js";
import { parseRobotName, ROBOT_SHORTNAME_RE, robotFullName } from "./names.js";
import type { Principal } from "../access/principal.js";
import { safeEqual, type Encryptor } from "../access/secrets.js";

export const ROBOTS_DISALLOWED = "Robot accounts have been disabled. Please contact your administrator.";

/** The ways a robot's credentials are pasted into tools, as Quay's credentials dialog offers them. */
export function robotCredentials(host: string, username: string, token: string) {
  const auth = Buffer.from(`${username}:${token}`).toString("base64");
  const dockerConfig = JSON.stringify({ auths: { [host]: { auth, email: "" } } }, null, 2);
  const secretName = `${username.replace(/\+/g, "-").replace(/[^a-z0-9-]/g, "")}-pull-secret`;
  return {
    username,
    token,
    dockerLogin: `docker login -u='${username}' -p='${token}' ${host}`,
    podmanLogin: `podman login -u='${username}' -p='${token}' ${host}`,
    kubernetesSecret: YAML.stringify({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: secretName },
      data: { ".dockerconfigjson": Buffer.from(dockerConfig).toString("base64") },
      type: "kubernetes.io/dockerconfigjson",
    }),
    dockerConfig,
  };
}

export class RobotService {
  constructor(
    private readonly db: Db,
    private readonly enc: Encryptor,
    private readonly disallowed: boolean,
    private readonly namespaces: NamespaceService,
    private readonly uow: UnitOfWork,
  ) {}

  /** 64 characters of A-Z0-9, like Quay's robot tokens (about 330 bits). */
  private newToken(): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    return Array.from({ length: 64 }, () => alphabet[crypto.randomInt(alphabet.length)]).join("");
  }

  /**
   * Creates a robot without an authorization check (first-start provisioning and tests); `record` adds the
   * caller's audit entries to the same transaction.
   */
  async create(
    namespace: string,
    shortName: string,
    description = "",
    record?: (w: Work, fullName: string) => void,
    metadata: Record<string, unknown> = {},
  ) {
    if (this.disallowed) throw forbidden(ROBOTS_DISALLOWED);
    if (!ROBOT_SHORTNAME_RE.test(shortName)) {
      throw badInput("Invalid robot account name: must match ^[a-z][a-z0-9_]{1,254}$");
    }
    if (description.length > 1024) throw badInput("Description is too long");
    const ns = await this.namespaces.byName(namespace);
    const fullName = robotFullName(namespace, shortName);
    const token = this.newToken();
    const robot = await this.uow
      .run(async (w) => {
        const robot = await w.tx.robot.create({
          data: {
            namespaceId: ns.id,
            name: shortName,
            description,
            metadata: metadata as Prisma.InputJsonValue,
            tokenEncrypted: this.enc.encrypt(token),
          },
        });
        record?.(w, fullName);
        return robot;
      })
      .catch((e: { code?: string }) => {
        throw e.code === "P2002" ? conflict(`Existing robot with name: ${fullName}`) : e;
      });
    return { robot, fullName, token };
  }

  token(robot: { tokenEncrypted: string }): string {
    return this.enc.decrypt(robot.tokenEncrypted);
  }

  /** Checks `namespace+name` and token; null on mismatch. */
  async verify(fullName: string, token: string): Promise<Principal | null> {
    if (this.disallowed) return null;
    const parsed = parseRobotName(fullName);
    if (!parsed) return null;
    const { namespace, short } = parsed;
    const robot = await this.db.robot.findFirst({ where: { name: short, namespace: { name: namespace } } });
    if (!robot || !safeEqual(this.token(robot), token)) return null;
    this.db.robot.update({ where: { id: robot.id }, data: { lastUsedAt: new Date() } }).catch(() => {});
    return { kind: "robot", robotId: robot.id, name: robot.name, namespaceId: robot.namespaceId, namespace };
  }

  // ------------------------------------------------------------ management (namespace admins)

  async list(p: Principal, namespace: string) {
    const ns = await this.namespaces.requireNamespace(p, namespace, "admin");
    const robots = await this.db.robot.findMany({ where: { namespaceId: ns.id }, orderBy: { name: "asc" } });
    return robots.map((r) => ({ ...r, fullName: robotFullName(ns.name, r.name) }));
  }

  async get(p: Principal, fullName: string) {
    const parsed = parseRobotName(fullName);
    if (!parsed) throw badInput("Robot names look like namespace+name");
    const ns = await this.namespaces.requireNamespace(p, parsed.namespace, "admin");
    const robot = await this.db.robot.findUnique({
      where: { namespaceId_name: { namespaceId: ns.id, name: parsed.short } },
    });
    if (!robot) throw notFound(`Robot ${fullName}`);
    return { ...robot, fullName };
  }

  async createAs(
    p: Principal,
    namespace: string,
    shortName: string,
    description = "",
    ip?: string | null,
    metadata: Record<string, unknown> = {},
  ) {
    if (this.disallowed) throw forbidden(ROBOTS_DISALLOWED);
    const ns = await this.namespaces.requireNamespace(p, namespace, "admin");
    if (JSON.stringify(metadata).length > 64 * 1024) throw badInput("unstructured_metadata is too large");
    const created = await this.create(
      namespace,
      shortName,
      description,
      (w, robot) => w.audit("create_robot", { principal: p, namespaceId: ns.id, ip }, { robot }),
      metadata,
    );
    return { ...created.robot, fullName: created.fullName };
  }

  async setDescription(p: Principal, fullName: string, description: string) {
    const robot = await this.get(p, fullName);
    if (description.length > 1024) throw badInput("Description is too long");
    return { ...(await this.db.robot.update({ where: { id: robot.id }, data: { description } })), fullName };
  }

  /** A new token; the old one stops working at once (every check decrypts the current token). */
  async regenerate(p: Principal, fullName: string, ip?: string | null) {
    const robot = await this.get(p, fullName);
    const updated = await this.uow.run(async (w) => {
      const updated = await w.tx.robot.update({
        where: { id: robot.id },
        data: { tokenEncrypted: this.enc.encrypt(this.newToken()) },
      });
      w.audit(
        "regenerate_robot_token",
        { principal: p, namespaceId: robot.namespaceId, ip },
        { robot: fullName },
      );
      return updated;
    });
    return { ...updated, fullName };
  }

  async delete(p: Principal, fullName: string, ip?: string | null) {
    const robot = await this.get(p, fullName);
    await this.uow.run(async (w) => {
      await w.tx.robot.delete({ where: { id: robot.id } });
      w.audit("delete_robot", { principal: p, namespaceId: robot.namespaceId, ip }, { robot: fullName });
    });
  }
}
