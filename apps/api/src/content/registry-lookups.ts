// The lookups /v2 requests make, as named prepared statements on the pg pool: one round trip each, parsed
// once per connection (PostgreSQL still plans each of a statement's first five runs, then keeps a plan). Through Prisma the same query costs several times more CPU than
// PostgreSQL spends on it (measured with `npm run bench`), and these run for every pull and push. They are
// read-only and answer exactly what the Prisma queries of RepositoryService, TagService and BlobService
// answer (test/registry-lookups.test.ts compares them).
import type pg from "pg";
import type { RepositoryWithNamespace } from "./repositories.js";
import { splitRepository } from "../tenancy/names.js";
import { parseDigest } from "@hm/oci";

/** What a pull needs: the manifest and the ids of the repository it was found in. */
export interface PulledManifest {
  repositoryId: bigint;
  namespaceId: bigint;
  digest: string;
  mediaType: string;
  bytes: Buffer;
  subjectDigest: string | null;
}

const REPOSITORY = `
  SELECT r.id, r."namespaceId", r.name, r.description, r.visibility::text AS visibility, r.kind::text AS kind,
    r.state::text AS state, r."createdAt", r."updatedAt", n.name AS "nsName", n.kind::text AS "nsKind"
  FROM "Repository" r JOIN "Namespace" n ON n.id = r."namespaceId"
  WHERE n.name = $1 AND r.name = $2`;

const MANIFEST_BY_TAG = `
  SELECT r.id AS "repositoryId", r."namespaceId", m.digest, m."mediaType", m.bytes, m."subjectDigest"
  FROM "Repository" r
  JOIN "Namespace" n ON n.id = r."namespaceId"
  JOIN "Tag" t ON t."repositoryId" = r.id AND t.name = $3 AND (t."lifetimeEnd" IS NULL OR t."lifetimeEnd" > now())
  JOIN "Manifest" m ON m.id = t."manifestId"
  WHERE n.name = $1 AND r.name = $2
  LIMIT 1`;

const MANIFEST_BY_DIGEST = `
  SELECT r.id AS "repositoryId", r."namespaceId", m.digest, m."mediaType", m.bytes, m."subjectDigest"
  FROM "Repository" r
  JOIN "Namespace" n ON n.id = r."namespaceId"
  JOIN "Manifest" m ON m."repositoryId" = r.id AND m.digest = $3
  WHERE n.name = $1 AND r.name = $2`;

/** A blob the repository may read: linked to it (uploaded or mounted there). */
const LINKED_BLOB = `
  SELECT b.digest, b.size
  FROM "Repository" r
  JOIN "Namespace" n ON n.id = r."namespaceId"
  JOIN "RepositoryBlob" rb ON rb."repositoryId" = r.id
  JOIN "Blob" b ON b.id = rb."blobId" AND b.digest = $3
  WHERE n.name = $1 AND r.name = $2
  LIMIT 1`;

/**
 * Alive tag names in byte order after a name (TagService.listNames), joined by newlines into one value: a
 * 10,000-tag list then costs one field to parse instead of 10,000 rows. A tag name cannot hold a newline.
 * Found by the repository's name in the same statement: one round trip per tags/list (no row: no such
 * repository). Only the aggregate's own ORDER BY guarantees the joined order, and PostgreSQL 15 sorts for it
 * whatever order its input has: a whole list (no `n`) is aggregated straight from the table, one sort; a page
 * takes its LIMIT in a subquery first.
 */
const tagNamesOf = (rows: string) => `
  SELECT (SELECT string_agg(name, E'\\n' ORDER BY name COLLATE "C") FROM ${rows}) AS names
  FROM "Repository" r JOIN "Namespace" n ON n.id = r."namespaceId"
  WHERE n.name = $1 AND r.name = $2`;
const ALIVE_AFTER = `"Tag" t WHERE t."repositoryId" = r.id AND (t."lifetimeEnd" IS NULL OR t."lifetimeEnd" > now())
  AND t.name COLLATE "C" > $3`;
const TAG_NAMES_ALL = tagNamesOf(ALIVE_AFTER);
const TAG_NAMES_PAGE = tagNamesOf(
  `(SELECT t.name FROM ${ALIVE_AFTER} ORDER BY t.name COLLATE "C" LIMIT $4) page`,
);

/** The statements every /v2 read runs, with values that match nothing, for a new connection's warm-up. */
const WARM_UP: [string, string, unknown[]][] = [
  ["hm_repository", REPOSITORY, ["", ""]],
  ["hm_manifest_by_tag", MANIFEST_BY_TAG, ["", "", ""]],
  ["hm_manifest_by_digest", MANIFEST_BY_DIGEST, ["", "", ""]],
  ["hm_linked_blob", LINKED_BLOB, ["", "", ""]],
  ["hm_tag_names_all", TAG_NAMES_ALL, ["", "", ""]],
  ["hm_tag_names_page", TAG_NAMES_PAGE, ["", "", "", 1]],
];

const USER = `SELECT id, username, "namespaceId", superuser, enabled FROM "User" WHERE id = $1`;

const ROBOT = `
  SELECT r.id, r.name, r."namespaceId", n.name AS "nsName"
  FROM "Robot" r JOIN "Namespace" n ON n.id = r."namespaceId" WHERE r.id = $1`;

/**
 * Prepares the /v2 read statements on a new pool connection before the pool hands it out (the pool's
 * onConnect hook). A statement's first run on a connection parses it (about 1 ms, the backend's catalog
 * caches cold) before planning it, and the pool hands a request whichever connection was released last: right
 * after a burst of pushes, a pull or tags/list would often land on one that never ran it. The values match
 * nothing; a failure leaves the connection as it was.
 */
export async function warmUpRegistryStatements(client: pg.ClientBase): Promise<void> {
  for (const [name, text, values] of WARM_UP) await client.query({ name, text, values }).catch(() => {});
}

export class RegistryLookups {
  constructor(private readonly pool: pg.Pool) {}

  private async one<T>(name: string, text: string, values: unknown[]): Promise<T | null> {
    const r = await this.pool.query({ name, text, values });
    return (r.rows[0] as T | undefined) ?? null;
  }

  /** A user by id (for the principal a registry token names). */
  async user(id: bigint) {
    const row = await this.one<Record<string, any>>("hm_user", USER, [id.toString()]);
    return row
      ? {
          id: BigInt(row.id),
          username: row.username as string,
          namespaceId: BigInt(row.namespaceId),
          superuser: row.superuser as boolean,
          enabled: row.enabled as boolean,
        }
      : null;
  }

  /** A robot by id with its namespace's name. */
  async robot(id: bigint) {
    const row = await this.one<Record<string, any>>("hm_robot", ROBOT, [id.toString()]);
    return row
      ? {
          id: BigInt(row.id),
          name: row.name as string,
          namespaceId: BigInt(row.namespaceId),
          namespace: row.nsName as string,
        }
      : null;
  }

  /** Same as RepositoryService.find. */
  async repository(fullName: string): Promise<RepositoryWithNamespace | null> {
    const parts = splitRepository(fullName);
    if (!parts) return null;
    const row = await this.one<Record<string, any>>("hm_repository", REPOSITORY, [
      parts.namespace,
      parts.name,
    ]);
    if (!row) return null;
    return {
      id: BigInt(row.id),
      namespaceId: BigInt(row.namespaceId),
      name: row.name,
      description: row.description,
      visibility: row.visibility,
      kind: row.kind,
      state: row.state,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      namespace: { id: BigInt(row.namespaceId), name: row.nsName, kind: row.nsKind },
    };
  }

  /** A manifest of `namespace/name` by alive tag or by digest (ManifestService.get after a find). */
  async manifest(fullName: string, reference: string): Promise<PulledManifest | null> {
    const parts = splitRepository(fullName);
    if (!parts) return null;
    const byDigest = parseDigest(reference) !== null;
    const row = await this.one<Record<string, any>>(
      byDigest ? "hm_manifest_by_digest" : "hm_manifest_by_tag",
      byDigest ? MANIFEST_BY_DIGEST : MANIFEST_BY_TAG,
      [parts.namespace, parts.name, reference],
    );
    if (!row) return null;
    return {
      repositoryId: BigInt(row.repositoryId),
      namespaceId: BigInt(row.namespaceId),
      digest: row.digest,
      mediaType: row.mediaType,
      bytes: row.bytes,
      subjectDigest: row.subjectDigest,
    };
  }

  /** Same as BlobService.statInRepo after a find. */
  async linkedBlob(fullName: string, digest: string): Promise<{ digest: string; size: bigint } | null> {
    const parts = splitRepository(fullName);
    if (!parts) return null;
    const row = await this.one<{ digest: string; size: string }>("hm_linked_blob", LINKED_BLOB, [
      parts.namespace,
      parts.name,
      digest,
    ]);
    return row ? { digest: row.digest, size: BigInt(row.size) } : null;
  }

  /**
   * Same as TagService.listNames, for the repository named `fullName` (null when there is none):
   * `tags/list` of a repository with 10,000 tags reads them all at once.
   */
  async tagNames(
    fullName: string,
    n: number | undefined,
    last: string | undefined,
  ): Promise<string[] | null> {
    const parts = splitRepository(fullName);
    if (!parts) return null;
    const r = await this.pool.query<[string | null]>(
      n === undefined
        ? {
            name: "hm_tag_names_all",
            text: TAG_NAMES_ALL,
            values: [parts.namespace, parts.name, last ?? ""],
            rowMode: "array",
          }
        : {
            name: "hm_tag_names_page",
            text: TAG_NAMES_PAGE,
            values: [parts.namespace, parts.name, last ?? "", n],
            rowMode: "array",
          },
    );
    if (!r.rows.length) return null;
    const joined = r.rows[0]![0];
    return joined ? joined.split("\n") : [];
  }
}
