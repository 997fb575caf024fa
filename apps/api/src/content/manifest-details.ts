// One manifest as Quay's manifest API describes it: its raw document, whether it is a list, and for an image
// its layers in order with their sizes and the config history's command, author and time for each.
import { parseManifest } from "@hm/oci";
import type { Db } from "../infra/database.js";
import type { BlobStore } from "../storage/blob-store.js";
import type { Principal } from "../access/principal.js";
import type { RepositoryService } from "./repositories.js";
import { notFound } from "../common/errors.js";
import { readSmallJson } from "./manifest-labels.js";

export interface LayerDetails {
  index: number;
  digest: string;
  size: number;
  urls: string[] | null;
  command: string[] | null;
  comment: string | null;
  author: string | null;
  created: Date | null;
}

export interface ManifestDetails {
  digest: string;
  mediaType: string;
  isManifestList: boolean;
  document: string;
  configMediaType: string | null;
  layersSize: number;
  /** Null for an index or list. */
  layers: LayerDetails[] | null;
}

interface HistoryEntry {
  created_by?: unknown;
  comment?: unknown;
  author?: unknown;
  created?: unknown;
  empty_layer?: unknown;
}

const str = (v: unknown) => (typeof v === "string" && v ? v : null);

export class ManifestDetailsService {
  constructor(
    private readonly db: Db,
    private readonly access: Pick<RepositoryService, "require">,
    private readonly store: BlobStore,
  ) {}

  async describe(p: Principal, repository: string, digest: string): Promise<ManifestDetails> {
    const repo = await this.access.require(p, repository, "read");
    const m = await this.db.manifest.findUnique({
      where: { repositoryId_digest: { repositoryId: repo.id, digest } },
    });
    if (!m) throw notFound(`Manifest ${digest}`);
    const bytes = Buffer.from(m.bytes);
    const parsed = parseManifest(bytes, m.mediaType);
    const isList = parsed.kind === "index";
    let layers: LayerDetails[] | null = null;
    if (!isList) {
      // Layers line up with the config history entries that are not empty layers (Docker's and OCI's rule).
      const history = (await this.history(parsed.config?.digest)).filter((h) => h.empty_layer !== true);
      layers = parsed.layers.map((l, index) => {
        const h = history[index];
        const created = h ? str(h.created) : null;
        const when = created ? new Date(created) : null;
        return {
          index,
          digest: l.digest,
          size: l.size,
          urls: null,
          command: h && str(h.created_by) ? [str(h.created_by)!] : null,
          comment: h ? str(h.comment) : null,
          author: h ? str(h.author) : null,
          created: when && Number.isFinite(when.getTime()) ? when : null,
        };
      });
    }
    return {
      digest: m.digest,
      mediaType: m.mediaType,
      isManifestList: isList,
      document: bytes.toString("utf8"),
      configMediaType: m.configMediaType,
      layersSize: isList ? 0 : Number(m.layersSize),
      layers,
    };
  }

  /** The config's history; none when the config is missing, too large or not JSON. */
  private async history(configDigest: string | undefined): Promise<HistoryEntry[]> {
    if (!configDigest) return [];
    const doc = (await this.store.read(configDigest).then(readSmallJson, () => null)) as {
      history?: unknown;
    } | null;
    return Array.isArray(doc?.history)
      ? (doc.history as HistoryEntry[]).filter((h) => h && typeof h === "object")
      : [];
  }
}
