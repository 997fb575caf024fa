// Secrets the system generates for itself at first start (token signing key, encryption key), kept in the
// database so every process of a deployment shares them. Robot tokens are encrypted with AES-256-GCM.
import crypto from "node:crypto";
import type { Db } from "../infra/database.js";

export async function systemSecret(
  db: Db,
  key: string,
  generate: () => string | Promise<string>,
): Promise<string> {
  const existing = await db.systemSetting.findUnique({ where: { key } });
  if (existing) return existing.value;
  // Concurrent first starts: one insert wins, everyone reads the winner.
  await db.systemSetting.createMany({ data: [{ key, value: await generate() }], skipDuplicates: true });
  return (await db.systemSetting.findUniqueOrThrow({ where: { key } })).value;
}

export class Encryptor {
  constructor(private readonly key: Buffer) {}

  static async load(db: Db, configured?: string): Promise<Encryptor> {
    const material =
      configured ??
      (await systemSecret(db, "encryption_key", () => crypto.randomBytes(32).toString("base64")));
    return new Encryptor(crypto.createHash("sha256").update(material).digest());
  }

  encrypt(plain: string): string {
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([c.update(plain, "utf8"), c.final()]);
    return `v1:${Buffer.concat([iv, c.getAuthTag(), body]).toString("base64")}`;
  }

  decrypt(sealed: string): string {
    const raw = Buffer.from(sealed.replace(/^v1:/, ""), "base64");
    const d = crypto.createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString("utf8");
  }
}

export const sha256hex = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString("base64url");
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
