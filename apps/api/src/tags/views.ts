// Shapes a page of tag rows for display: manifest digest and type, compressed size, labels and, for an
// index, its children with their platforms. Batch-loads everything for the page in three queries.
import type { Db } from "../infra/database.js";
import { labelView, type LabelView } from "../content/labels.js";

export interface Platform {
  os: string | null;
  architecture: string | null;
  variant: string | null;
}

export interface ChildManifestView {
  digest: string;
  mediaType: string;
  /** Compressed size: config plus layers. */
  size: number;
  platform: Platform | null;
}

export interface TagView {
  id: bigint;
  name: string;
  /** "namespace/name" */
  repository: string;
  manifestDigest: string;
  mediaType: string;
  isManifestList: boolean;
  /** Compressed bytes: config plus layers; for an index the sum of its children. */
  size: number;
  lastModified: Date;
  /** Set when the tag is due to expire (always in the future: expired tags are not listed). */
  expiration: Date | null;
  labels: LabelView[];
  children: ChildManifestView[];
}

export interface TagRow {
  id: bigint;
  name: string;
  manifestId: bigint;
  lifetimeStart: Date;
  lifetimeEnd: Date | null;
}

interface ManifestRow {
  id: bigint;
  digest: string;
  mediaType: string;
  bytes: Uint8Array;
  layersSize: bigint;
}

/** Config plus layers of an image manifest; 0 for anything else. */
export function imageSize(m: Pick<ManifestRow, "bytes" | "layersSize">): number {
  try {
    const doc = JSON.parse(Buffer.from(m.bytes).toString("utf8")) as { config?: { size?: unknown } };
    const config = typeof doc.config?.size === "number" ? doc.config.size : 0;
    return config + Number(m.layersSize);
  } catch {
    return Number(m.layersSize);
  }
}

function platformOf(v: unknown): Platform | null {
  if (!v || typeof v !== "object") return null;
  const p = v as Record<string, unknown>;
  const s = (x: unknown) => (typeof x === "string" ? x : null);
  return { os: s(p.os), architecture: s(p.architecture), variant: s(p.variant) };
}

/** Children are listed in the order the index lists them (the rows keep no order of their own). */
export function childOrder(bytes: Uint8Array): (digest: string) => number {
  let digests: string[] = [];
  try {
    const doc = JSON.parse(Buffer.from(bytes).toString("utf8")) as { manifests?: { digest?: string }[] };
    digests = (doc.manifests ?? []).map((d) => String(d.digest));
  } catch {
    // Not JSON: no order to keep.
  }
  return (digest) => digests.indexOf(digest);
}

export async function loadTagViews(db: Db, repository: string, rows: TagRow[]): Promise<TagView[]> {
  if (!rows.length) return [];
  const ids = [...new Set(rows.map((r) => r.manifestId))];
  const select = { id: true, digest: true, mediaType: true, bytes: true, layersSize: true } as const;
  const [manifests, labels, links] = await Promise.all([
    db.manifest.findMany({ where: { id: { in: ids } }, select }),
    db.label.findMany({ where: { manifestId: { in: ids } }, orderBy: { id: "asc" } }),
    db.manifestChild.findMany({ where: { parentId: { in: ids } }, include: { child: { select } } }),
  ]);
  const byId = new Map(manifests.map((m) => [m.id, m]));
  return rows.map((r) => {
    const m = byId.get(r.manifestId)!;
    const order = childOrder(m.bytes);
    const children = links
      .filter((l) => l.parentId === m.id)
      .sort((a, b) => order(a.child.digest) - order(b.child.digest))
      .map((l) => ({
        digest: l.child.digest,
        mediaType: l.child.mediaType,
        size: imageSize(l.child),
        platform: platformOf(l.platform),
      }));
    const isManifestList = children.length > 0 || /index|list/.test(m.mediaType);
    return {
      id: r.id,
      name: r.name,
      repository,
      manifestDigest: m.digest,
      mediaType: m.mediaType,
      isManifestList,
      size: isManifestList ? children.reduce((n, c) => n + c.size, 0) : imageSize(m),
      lastModified: r.lifetimeStart,
      expiration: r.lifetimeEnd,
      labels: labels.filter((l) => l.manifestId === m.id).map(labelView),
      children,
    };
  });
}
