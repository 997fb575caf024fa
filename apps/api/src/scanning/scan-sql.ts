// The scanner's writes and bulk reads as raw SQL with JSON sent and read as text: a scan stores a few
// hundred KiB of package JSON and hundreds of matches, and Prisma's Json and createMany handling of that
// cost ~300 ms of the server's main thread per scan (measured by `npm run bench -- --only=scanning`).
import type { Db } from "../infra/database.js";
import type { Tx } from "../events/unit-of-work.js";
import type { Match } from "./matcher.js";
import type { Distribution, ImagePackage, LayerIndexData } from "./types.js";
import type { ScanStatus } from "./service.js";

type Runner = Pick<Db, "$queryRaw" | "$executeRaw"> | Tx;

export async function loadLayer(
  db: Runner,
  digest: string,
): Promise<{ indexer: number; data: LayerIndexData | null } | null> {
  const [row] = await db.$queryRaw<{ indexer: number; data: string | null }[]>`
    SELECT indexer, data::text AS data FROM "LayerIndex" WHERE digest = ${digest}`;
  return row
    ? { indexer: row.indexer, data: row.data ? (JSON.parse(row.data) as LayerIndexData) : null }
    : null;
}

export async function saveLayer(
  db: Runner,
  digest: string,
  indexer: number,
  data: LayerIndexData,
): Promise<void> {
  await db.$executeRaw`
    INSERT INTO "LayerIndex" (digest, indexer, data) VALUES (${digest}, ${indexer}, ${JSON.stringify(data)}::jsonb)
    ON CONFLICT (digest) DO UPDATE SET indexer = excluded.indexer, data = excluded.data, error = NULL,
      "indexedAt" = now()`;
}

export interface ScanRow {
  status: ScanStatus;
  reason?: string;
  distribution?: Distribution | null;
  packages?: ImagePackage[];
  warnings?: string[];
}

export async function saveScan(tx: Runner, digest: string, indexer: number, r: ScanRow): Promise<void> {
  const distribution = r.distribution ? JSON.stringify(r.distribution) : null;
  const packages = r.packages ? JSON.stringify(r.packages) : null;
  await tx.$executeRaw`
    INSERT INTO "ManifestSecurity" (digest, status, reason, indexer, distribution, packages, warnings,
      "scannedAt", "matchedAt")
    VALUES (${digest}, ${r.status}, ${r.reason ?? null}, ${indexer}, ${distribution}::jsonb, ${packages}::jsonb,
      ${r.warnings ?? []}::text[], now(), CASE WHEN ${r.status} = 'scanned' THEN now() END)
    ON CONFLICT (digest) DO UPDATE SET status = excluded.status, reason = excluded.reason,
      indexer = excluded.indexer, distribution = excluded.distribution, packages = excluded.packages,
      warnings = excluded.warnings, "scannedAt" = excluded."scannedAt", "matchedAt" = excluded."matchedAt"`;
}

/** Replaces a manifest's matches (three statements in the caller's transaction); returns the new ones. */
export async function replaceMatches(tx: Runner, digest: string, matches: Match[]): Promise<Match[]> {
  const before = await tx.$queryRaw<{ packageIndex: number; vulnerabilityId: string }[]>`
    SELECT "packageIndex", "vulnerabilityId" FROM "ManifestVulnerability" WHERE digest = ${digest}`;
  const had = new Set(before.map((b) => `${b.packageIndex}\0${b.vulnerabilityId}`));
  if (before.length) await tx.$executeRaw`DELETE FROM "ManifestVulnerability" WHERE digest = ${digest}`;
  if (matches.length)
    await tx.$executeRaw`
      INSERT INTO "ManifestVulnerability" (digest, "packageIndex", "vulnerabilityId", severity, "fixedBy")
      SELECT ${digest}, m.* FROM unnest(${matches.map((m) => m.packageIndex)}::int[],
        ${matches.map((m) => m.vulnerabilityId)}::text[], ${matches.map((m) => m.severity)}::text[],
        ${matches.map((m) => m.fixedBy)}::text[]) AS m`;
  return matches.filter((m) => !had.has(`${m.packageIndex}\0${m.vulnerabilityId}`));
}

/** A page of scanned manifests (by digest, after `after`) with what the matcher needs. */
export async function scannedPage(
  db: Runner,
  after: string,
  take: number,
): Promise<{ digest: string; distribution: Distribution | null; packages: ImagePackage[] }[]> {
  const rows = await db.$queryRaw<{ digest: string; distribution: string | null; packages: string | null }[]>`
    SELECT digest, distribution::text AS distribution, packages::text AS packages FROM "ManifestSecurity"
    WHERE status = 'scanned' AND digest > ${after} ORDER BY digest LIMIT ${take}`;
  return rows.map((r) => ({
    digest: r.digest,
    distribution: r.distribution ? (JSON.parse(r.distribution) as Distribution) : null,
    packages: r.packages ? (JSON.parse(r.packages) as ImagePackage[]) : [],
  }));
}
