// Read side of tags: the tag list (keyset paging, name filter, two sort orders), one tag's details, and the
// repository's tag history with what happened to each row. Everything is computed from the append-only
// Tag rows at query time, so an expired tag vanishes at its exact end.
import { Prisma } from "../generated/prisma/client.js";
import type { Db } from "../infra/database.js";
import { badInput, notFound } from "../common/errors.js";
import { containsPattern, decodeCursor, encodeCursor, pageSize } from "../common/paging.js";
import { fetchCommands, type FetchCommands } from "./fetch-commands.js";
import type { Principal } from "../access/principal.js";
import type { RepositoryService } from "../content/repositories.js";
import { loadTagViews, type TagRow, type TagView } from "./views.js";

export type TagSort = "LAST_MODIFIED" | "NAME";

export interface TagPage<T> {
  items: T[];
  /** Opaque cursor of each item (pass the last one as `after`). */
  cursors: string[];
  hasNextPage: boolean;
  totalCount: number;
}

export interface TagDetails extends TagView {
  /** When this tag name was last created (a first push, add or restore after a delete); moves keep it. */
  createdAt: Date;
  manifestCreatedAt: Date;
  fetch: { tag: FetchCommands; digest: FetchCommands };
}

export type TagAction = "created" | "moved" | "restored";
export type TagEndAction = "moved" | "deleted" | "expired";

export interface TagHistoryEntry {
  /** Pass to restoreTag / purgeHistoryEntry. */
  id: bigint;
  tag: string;
  manifestDigest: string;
  start: Date;
  /** Null while alive; in the future for a tag due to expire. */
  end: Date | null;
  /** How this row began. */
  action: TagAction;
  /** How it ended; null while alive (including a tag due to expire). */
  endAction: TagEndAction | null;
  /** Ended and still inside the namespace's time-machine window. */
  restorable: boolean;
  /** Until when it can be restored (end + window); null while alive. */
  restorableUntil: Date | null;
}

const MAX_TAG_PAGE = 500;

export class TagQueryService {
  constructor(
    private readonly db: Db,
    private readonly access: Pick<RepositoryService, "require">,
    private readonly host: string,
    private readonly scheme: "http" | "https",
  ) {}

  /** Alive tags of a repository. LAST_MODIFIED: newest first; NAME: byte order. */
  async listTags(
    p: Principal,
    repository: string,
    args: {
      first?: number | null;
      after?: string | null;
      filter?: string | null;
      sort?: TagSort | null;
    } = {},
  ): Promise<TagPage<TagView>> {
    const repo = await this.access.require(p, repository, "read");
    const n = pageSize(args, MAX_TAG_PAGE);
    const sort = args.sort ?? "LAST_MODIFIED";
    if (sort !== "LAST_MODIFIED" && sort !== "NAME") throw badInput(`Unknown sort ${String(sort)}`);
    const filter = args.filter?.trim()
      ? Prisma.sql`AND t.name ILIKE ${containsPattern(args.filter.trim())}`
      : Prisma.empty;
    const base = Prisma.sql`t."repositoryId" = ${repo.id} AND NOT t.hidden
      AND (t."lifetimeEnd" IS NULL OR t."lifetimeEnd" > now()) ${filter}`;
    let after = Prisma.empty;
    let order: Prisma.Sql;
    if (sort === "NAME") {
      const c = decodeCursor(args.after, 1);
      if (c) after = Prisma.sql`AND t.name COLLATE "C" > ${c[0]}`;
      order = Prisma.sql`ORDER BY t.name COLLATE "C"`;
    } else {
      const c = decodeCursor(args.after, 2);
      if (c) {
        if (!/^\d+$/.test(c[0]!) || !/^\d+$/.test(c[1]!)) throw badInput("Invalid cursor");
        after = Prisma.sql`AND (t."lifetimeStart", t.id) <
          ('epoch'::timestamptz + ${c[0]}::bigint * interval '1 microsecond', ${c[1]}::bigint)`;
      }
      order = Prisma.sql`ORDER BY t."lifetimeStart" DESC, t.id DESC`;
    }
    const [rows, count] = await Promise.all([
      this.db.$queryRaw<(TagRow & { micros: bigint })[]>`
        SELECT t.id, t.name, t."manifestId", t."lifetimeStart", t."lifetimeEnd",
          (extract(epoch FROM t."lifetimeStart") * 1000000)::bigint AS micros
        FROM "Tag" t WHERE ${base} ${after} ${order} LIMIT ${n + 1}`,
      this.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "Tag" t WHERE ${base}`,
    ]);
    const page = rows.slice(0, n);
    return {
      items: await loadTagViews(this.db, `${repo.namespace.name}/${repo.name}`, page),
      cursors: page.map((r) =>
        encodeCursor(sort === "NAME" ? [r.name] : [r.micros.toString(), r.id.toString()]),
      ),
      hasNextPage: rows.length > n,
      totalCount: Number(count[0]!.n),
    };
  }

  /**
   * Quay's tag list: every row of the history (or the alive ones only), newest first, by page number;
   * `name` keeps one tag, `nameContains` those whose name contains it (any case).
   */
  async historyPage(
    p: Principal,
    repository: string,
    args: {
      page: number;
      limit: number;
      activeOnly: boolean;
      name?: string | null;
      nameContains?: string | null;
    },
  ): Promise<{ rows: (TagView & { reversion: boolean })[]; hasAdditional: boolean }> {
    const repo = await this.access.require(p, repository, "read");
    const conds = [Prisma.sql`t."repositoryId" = ${repo.id}`, Prisma.sql`NOT t.hidden`];
    if (args.activeOnly) conds.push(Prisma.sql`(t."lifetimeEnd" IS NULL OR t."lifetimeEnd" > now())`);
    if (args.name) conds.push(Prisma.sql`t.name = ${args.name}`);
    if (args.nameContains) conds.push(Prisma.sql`t.name ILIKE ${containsPattern(args.nameContains)}`);
    const rows = await this.db.$queryRaw<(TagRow & { origin: string })[]>`
      SELECT t.id, t.name, t."manifestId", t."lifetimeStart", t."lifetimeEnd", t.origin::text AS origin
      FROM "Tag" t WHERE ${Prisma.join(conds, " AND ")}
      ORDER BY t."lifetimeStart" DESC, t.name, t.id DESC
      LIMIT ${args.limit + 1} OFFSET ${(args.page - 1) * args.limit}`;
    const page = rows.slice(0, args.limit);
    const views = await loadTagViews(this.db, `${repo.namespace.name}/${repo.name}`, page);
    return {
      rows: views.map((v, i) => ({ ...v, reversion: page[i]!.origin === "restored" })),
      hasAdditional: rows.length > args.limit,
    };
  }

  /** One alive tag with creation time and fetch commands. */
  async getTag(p: Principal, repository: string, name: string): Promise<TagDetails> {
    const repo = await this.access.require(p, repository, "read");
    const now = new Date();
    const row = await this.db.tag.findFirst({
      where: {
        repositoryId: repo.id,
        name,
        hidden: false,
        OR: [{ lifetimeEnd: null }, { lifetimeEnd: { gt: now } }],
      },
      include: { manifest: { select: { digest: true, createdAt: true } } },
    });
    if (!row) throw notFound(`Tag ${name}`);
    const created = await this.db.tag.findFirst({
      where: {
        repositoryId: repo.id,
        name,
        origin: { not: "moved" },
        lifetimeStart: { lte: row.lifetimeStart },
      },
      orderBy: { lifetimeStart: "desc" },
      select: { lifetimeStart: true },
    });
    const full = `${repo.namespace.name}/${repo.name}`;
    const [view] = await loadTagViews(this.db, full, [row]);
    return {
      ...view!,
      createdAt: created?.lifetimeStart ?? row.lifetimeStart,
      manifestCreatedAt: row.manifest.createdAt,
      fetch: {
        tag: fetchCommands(this.host, full, { tag: name }, this.scheme),
        digest: fetchCommands(this.host, full, { digest: row.manifest.digest }, this.scheme),
      },
    };
  }

  /**
   * Tag history, newest first. `tag` filters by exact name; `since`/`until` keep rows whose lifetime
   * overlaps that range.
   */
  async history(
    p: Principal,
    repository: string,
    args: {
      tag?: string | null;
      since?: Date | null;
      until?: Date | null;
      first?: number | null;
      after?: string | null;
    } = {},
  ): Promise<TagPage<TagHistoryEntry>> {
    const repo = await this.access.require(p, repository, "read");
    const n = pageSize(args, MAX_TAG_PAGE);
    const ns = await this.db.namespace.findUniqueOrThrow({ where: { id: repo.namespaceId } });
    const c = decodeCursor(args.after, 1);
    if (c && !/^\d+$/.test(c[0]!)) throw badInput("Invalid cursor");
    const where = Prisma.sql`t."repositoryId" = ${repo.id} AND NOT t.hidden
      ${args.tag ? Prisma.sql`AND t.name = ${args.tag}` : Prisma.empty}
      ${args.until ? Prisma.sql`AND t."lifetimeStart" <= ${args.until}` : Prisma.empty}
      ${args.since ? Prisma.sql`AND (t."lifetimeEnd" IS NULL OR t."lifetimeEnd" >= ${args.since})` : Prisma.empty}`;
    const [rows, count] = await Promise.all([
      this.db.$queryRaw<
        {
          id: bigint;
          name: string;
          digest: string;
          lifetimeStart: Date;
          lifetimeEnd: Date | null;
          expires: boolean;
          origin: TagAction;
          succeeded: boolean;
          ended: boolean;
          restorable: boolean;
        }[]
      >`
        SELECT t.id, t.name, m.digest, t."lifetimeStart", t."lifetimeEnd", t.expires, t.origin::text AS origin,
          t."lifetimeEnd" <= now() AS ended,
          t."lifetimeEnd" <= now() AND t."lifetimeEnd" + ${ns.timeMachineSeconds} * interval '1 second' > now()
            AS restorable,
          EXISTS (SELECT 1 FROM "Tag" s WHERE s."repositoryId" = t."repositoryId" AND s.name = t.name
                  AND s.id <> t.id AND s."lifetimeStart" = t."lifetimeEnd") AS succeeded
        FROM "Tag" t JOIN "Manifest" m ON m.id = t."manifestId"
        WHERE ${where} ${c ? Prisma.sql`AND t.id < ${c[0]}::bigint` : Prisma.empty}
        ORDER BY t.id DESC LIMIT ${n + 1}`,
      this.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM "Tag" t WHERE ${where}`,
    ]);
    const page = rows.slice(0, n);
    return {
      items: page.map((r) => ({
        id: r.id,
        tag: r.name,
        manifestDigest: r.digest,
        start: r.lifetimeStart,
        end: r.lifetimeEnd,
        action: r.origin,
        endAction: !r.ended ? null : r.expires ? "expired" : r.succeeded ? "moved" : "deleted",
        restorable: Boolean(r.restorable),
        restorableUntil:
          r.ended && r.lifetimeEnd ? new Date(r.lifetimeEnd.getTime() + ns.timeMachineSeconds * 1000) : null,
      })),
      cursors: page.map((r) => encodeCursor([r.id.toString()])),
      hasNextPage: rows.length > n,
      totalCount: Number(count[0]!.n),
    };
  }
}
