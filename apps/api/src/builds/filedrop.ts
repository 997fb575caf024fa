// Quay's filedrop: a signed-in user asks for an upload slot (POST /api/v1/filedrop/), gets a file id and a
// URL, and PUTs the Dockerfile or archive there (/userfiles/{id}); a build then names the file id. The id
// is a random UUID, good for one upload within an hour; files live under STORAGE_PATH/userfiles.
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform, type Readable } from "node:stream";
import type { Db } from "../infra/database.js";
import type { Principal } from "../access/principal.js";
import { badInput, DomainError, notFound } from "../common/errors.js";

const SLOT_TTL_MS = 60 * 60 * 1000;
/** How long an uploaded file is kept for the build that names it. */
const FILE_TTL_MS = 24 * 60 * 60 * 1000;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class FileDrops {
  constructor(
    private readonly db: Db,
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly siteBase: string,
  ) {}

  /** A new upload slot for a signed-in user. */
  async create(p: Principal, mimeType: string): Promise<{ fileId: string; url: string }> {
    if (p.kind !== "user") throw new DomainError("UNAUTHENTICATED", "You must be signed in");
    if (mimeType.length > 255) throw badInput("mimeType is too long");
    const row = await this.db.fileDrop.create({
      data: { userId: p.userId, mimeType, expiresAt: new Date(Date.now() + SLOT_TTL_MS) },
    });
    return { fileId: row.id, url: `${this.siteBase}/userfiles/${row.id}` };
  }

  pathOf(id: string): string {
    if (!UUID_RE.test(id)) throw badInput("Invalid file id");
    return path.join(this.dir, id.toLowerCase());
  }

  /** Stores the one upload of a slot, streaming, refusing more than BUILD_MAX_CONTEXT_BYTES. */
  async store(id: string, body: Readable): Promise<number> {
    const file = this.pathOf(id);
    const slot = await this.db.fileDrop.findUnique({ where: { id } });
    if (!slot || slot.uploadedAt || slot.expiresAt < new Date()) throw notFound("Upload slot");
    await fs.promises.mkdir(this.dir, { recursive: true });
    let size = 0;
    const max = this.maxBytes;
    const counter = new Transform({
      transform(chunk: Buffer, _e, cb) {
        size += chunk.length;
        if (size > max) cb(badInput(`The file is larger than ${max} bytes`));
        else cb(null, chunk);
      },
    });
    const tmp = `${file}.part`;
    try {
      await pipeline(body, counter, fs.createWriteStream(tmp, { flags: "wx" }));
      await fs.promises.rename(tmp, file);
    } catch (err) {
      await fs.promises.rm(tmp, { force: true });
      throw err;
    }
    await this.db.fileDrop.update({
      where: { id },
      data: { uploadedAt: new Date(), size: BigInt(size), expiresAt: new Date(Date.now() + FILE_TTL_MS) },
    });
    return size;
  }

  /** The uploaded file of a slot the caller owns, for a build to name. */
  async requireUploaded(p: Principal, id: string): Promise<{ id: string; mimeType: string }> {
    if (!UUID_RE.test(id)) throw badInput("Invalid file id");
    const slot = await this.db.fileDrop.findUnique({ where: { id } });
    if (!slot || !slot.uploadedAt || (p.kind === "user" && slot.userId !== p.userId))
      throw badInput(`No uploaded file with id ${id}`);
    return { id: slot.id, mimeType: slot.mimeType };
  }

  /** Drops expired slots and their files (the builds' periodic housekeeping). */
  async cleanup(): Promise<number> {
    const gone = await this.db.fileDrop.findMany({ where: { expiresAt: { lt: new Date() } }, take: 1000 });
    for (const g of gone) await fs.promises.rm(this.pathOf(g.id), { force: true });
    await this.db.fileDrop.deleteMany({ where: { id: { in: gone.map((g) => g.id) } } });
    return gone.length;
  }
}
