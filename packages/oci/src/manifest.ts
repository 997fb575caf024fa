// Parsing and validation of every manifest format a registry meets in practice:
// OCI image manifest and index, Docker schema 2 manifest and list, Docker schema 1 (signed or not).
import { digestOf, parseDigest } from "./digest.js";
import { OciError } from "./errors.js";
import { INDEX_TYPES, MediaType, SCHEMA1_TYPES, baseMediaType } from "./media-types.js";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: Platform;
}

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  "os.version"?: string;
  "os.features"?: string[];
}

export type ManifestKind = "image" | "index" | "schema1";

export interface ParsedManifest {
  kind: ManifestKind;
  mediaType: string;
  /** The digest clients address this manifest by (schema 1: of the unsigned payload). */
  digest: string;
  config?: Descriptor;
  layers: Descriptor[];
  /** Children of an index or list. */
  manifests: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
  /** Every blob digest the manifest needs to exist (config + layers, or schema 1 fsLayers). */
  blobDigests: string[];
  /** Sum of layer sizes (what a pull downloads, excluding the config). */
  layersSize: number;
}

const invalid = (msg: string) => new OciError("MANIFEST_INVALID", msg);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringMap(v: unknown, where: string): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v) || Object.values(v).some((x) => typeof x !== "string"))
    throw invalid(`${where}: annotations must map strings to strings`);
  return v as Record<string, string>;
}

function descriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) throw invalid(`${where}: descriptor must be an object`);
  const { mediaType, digest, size } = v;
  if (typeof mediaType !== "string" || !/^[\w.+-]+\/[\w.+-]+$/.test(mediaType))
    throw invalid(`${where}: invalid mediaType`);
  if (!parseDigest(digest)) throw invalid(`${where}: invalid digest`);
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0)
    throw invalid(`${where}: invalid size`);
  const d: Descriptor = { mediaType, digest: digest as string, size };
  if (v.artifactType !== undefined) {
    if (typeof v.artifactType !== "string") throw invalid(`${where}: invalid artifactType`);
    d.artifactType = v.artifactType;
  }
  const annotations = stringMap(v.annotations, where);
  if (annotations) d.annotations = annotations;
  if (v.platform !== undefined) {
    const p = v.platform;
    if (!isObject(p) || typeof p.architecture !== "string" || typeof p.os !== "string")
      throw invalid(`${where}: invalid platform`);
    d.platform = p as unknown as Platform;
  }
  return d;
}

function descriptors(v: unknown, where: string): Descriptor[] {
  if (!Array.isArray(v)) throw invalid(`${where} must be an array`);
  return v.map((x, i) => descriptor(x, `${where}[${i}]`));
}

function decodeJson(bytes: Buffer): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw invalid("manifest is not valid UTF-8");
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalid("manifest is not valid JSON");
  }
  if (!isObject(doc)) throw invalid("manifest must be a JSON object");
  return doc;
}

/**
 * Determines the media type: the document's own `mediaType` wins; else the Content-Type; else the shape.
 * A document whose `mediaType` contradicts the Content-Type is rejected.
 */
function resolveMediaType(doc: Record<string, unknown>, contentType: string): string {
  const declared = typeof doc.mediaType === "string" ? doc.mediaType : undefined;
  const header = baseMediaType(contentType);
  if (doc.schemaVersion === 1) return SCHEMA1_TYPES.includes(header) ? header : MediaType.DockerSchema1Signed;
  if (declared && header && declared !== header && header !== "application/json") {
    throw invalid(`mediaType ${declared} does not match Content-Type ${header}`);
  }
  if (declared) return declared;
  if (header && header !== "application/json") return header;
  return Array.isArray(doc.manifests) ? MediaType.OciIndex : MediaType.OciManifest;
}

/** Schema 1 signed manifests are addressed by the digest of their JWS payload (the bytes without signatures). */
function schema1Payload(bytes: Buffer, doc: Record<string, unknown>): Buffer {
  const sigs = doc.signatures;
  if (!Array.isArray(sigs) || sigs.length === 0) return bytes;
  const first = sigs[0] as Record<string, unknown>;
  if (typeof first?.protected !== "string") throw invalid("schema1: signature without protected header");
  let header: { formatLength?: unknown; formatTail?: unknown };
  try {
    header = JSON.parse(Buffer.from(first.protected, "base64url").toString("utf8"));
  } catch {
    throw invalid("schema1: unreadable protected header");
  }
  const { formatLength, formatTail } = header;
  if (
    typeof formatLength !== "number" ||
    typeof formatTail !== "string" ||
    formatLength > bytes.length ||
    formatLength < 0
  ) {
    throw invalid("schema1: invalid protected header");
  }
  return Buffer.concat([bytes.subarray(0, formatLength), Buffer.from(formatTail, "base64url")]);
}

function parseSchema1(bytes: Buffer, doc: Record<string, unknown>, mediaType: string): ParsedManifest {
  if (typeof doc.name !== "string" || typeof doc.tag !== "string")
    throw invalid("schema1: name and tag are required");
  if (
    !Array.isArray(doc.fsLayers) ||
    !Array.isArray(doc.history) ||
    doc.fsLayers.length !== doc.history.length
  ) {
    throw invalid("schema1: fsLayers and history must be arrays of equal length");
  }
  const blobDigests = doc.fsLayers.map((l: unknown, i) => {
    const sum = isObject(l) ? l.blobSum : undefined;
    if (!parseDigest(sum)) throw invalid(`schema1: fsLayers[${i}].blobSum is not a digest`);
    return sum as string;
  });
  return {
    kind: "schema1",
    mediaType,
    digest: digestOf(schema1Payload(bytes, doc)),
    layers: [],
    manifests: [],
    blobDigests: [...new Set(blobDigests)],
    layersSize: 0,
  };
}

export function parseManifest(bytes: Buffer, contentType = ""): ParsedManifest {
  const doc = decodeJson(bytes);
  const mediaType = resolveMediaType(doc, contentType);
  if (SCHEMA1_TYPES.includes(mediaType)) return parseSchema1(bytes, doc, mediaType);
  if (doc.schemaVersion !== 2) throw invalid("schemaVersion must be 2");
  const annotations = stringMap(doc.annotations, "manifest");
  const artifactType = doc.artifactType;
  if (artifactType !== undefined && typeof artifactType !== "string")
    throw invalid("artifactType must be a string");
  const subject = doc.subject === undefined ? undefined : descriptor(doc.subject, "subject");
  const base = {
    mediaType,
    digest: digestOf(bytes),
    annotations,
    artifactType: artifactType as string | undefined,
    subject,
  };

  if (INDEX_TYPES.includes(mediaType)) {
    const manifests = descriptors(doc.manifests, "manifests");
    return { ...base, kind: "index", layers: [], manifests, blobDigests: [], layersSize: 0 };
  }
  if (mediaType === MediaType.OciManifest || mediaType === MediaType.DockerManifest) {
    const config = descriptor(doc.config, "config");
    const layers =
      doc.layers === undefined && mediaType === MediaType.OciManifest
        ? []
        : descriptors(doc.layers, "layers");
    if (mediaType === MediaType.DockerManifest && layers.length === 0)
      throw invalid("layers must not be empty");
    const blobDigests = [...new Set([config.digest, ...layers.map((l) => l.digest)])];
    const layersSize = layers.reduce((n, l) => n + l.size, 0);
    return { ...base, kind: "image", config, layers, manifests: [], blobDigests, layersSize };
  }
  throw new OciError("MANIFEST_INVALID", `unsupported manifest media type ${mediaType}`);
}

/** The artifact type a referrers response reports for a manifest (OCI 1.1: artifactType, else config type). */
export function effectiveArtifactType(
  m: Pick<ParsedManifest, "artifactType" | "config">,
): string | undefined {
  return m.artifactType ?? m.config?.mediaType;
}
