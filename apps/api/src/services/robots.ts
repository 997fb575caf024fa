// Robot accounts: `namespace+name`, token encrypted at rest so it can be shown again.
import type { Db } from "../infra/database.js";
import { badInput, conflict, forbidden, notFound } from "./errors.js";
import { ROBOT_SHORTNAME_RE } from "./names.js";
import type { Principal } from "./principal.js";
import { randomToken, safeEqual, type Encryptor } from "./secrets.js";

export const ROBOTS_DISALLOWED = "Robot accounts have been disabled. Please contact your administrator.";

export class RobotService {
  constructor(
    private readonly db: Db,
    private readonly enc: Encryptor,
    private readonly disallowed: boolean,
  ) {}

  private newToken(): string {
    return randomToken(48).replace(/[-_]/g, "").slice(0, 64).toUpperCase();
  }

  async create(namespace: string, shortName: string, description = "") {
    if (this.disallowed) throw forbidden(ROBOTS_DISALLOWED);
    if (!ROBOT_SHORTNAME_RE.test(shortName)) {
      throw badInput("Invalid robot account name: must match ^[a-z][a-z0-9_]{1,254}$");
    }
    const ns = await this.db.namespace.findUnique({ where: { name: namespace } });
    if (!ns) throw notFound(`Namespace ${namespace}`);
    if (
      await this.db.robot.findUnique({ where: { namespaceId_name: { namespaceId: ns.id, name: shortName } } })
    ) {
      throw conflict(`Existing robot with name: ${namespace}+${shortName}`);
    }
    const token = this.newToken();
    const robot = await this.db.robot.create({
      data: { namespaceId: ns.id, name: shortName, description, tokenEncrypted: this.enc.encrypt(token) },
    });
    return { robot, fullName: `${namespace}+${shortName}`, token };
  }

  token(robot: { tokenEncrypted: string }): string {
    return this.enc.decrypt(robot.tokenEncrypted);
  }

  /** Checks `namespace+name` and token; null on mismatch. */
  async verify(fullName: string, token: string): Promise<Principal | null> {
    if (this.disallowed) return null;
    const [namespace, name] = fullName.split("+", 2);
    if (!namespace || !name) return null;
    const robot = await this.db.robot.findFirst({ where: { name, namespace: { name: namespace } } });
    if (!robot || !safeEqual(this.token(robot), token)) return null;
    this.db.robot.update({ where: { id: robot.id }, data: { lastUsedAt: new Date() } }).catch(() => {});
    return { kind: "robot", robotId: robot.id, name: robot.name, namespaceId: robot.namespaceId, namespace };
  }
}
