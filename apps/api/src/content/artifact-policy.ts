// Which OCI artifacts a push may store: FEATURE_GENERAL_OCI_SUPPORT and ALLOWED_OCI_ARTIFACT_TYPES, as Quay reads
// them (config media type → the layer media types allowed with it).
import { MediaType, type ParsedManifest } from "@hm/oci";
import { ContentError } from "./errors.js";

export interface ArtifactPolicy {
  generalOciSupport: boolean;
  /** config media type → allowed layer media types; empty means "no restriction" when general support is on. */
  allowed: Record<string, string[]>;
}

export const IMAGE_CONFIG_TYPES = new Set<string>([MediaType.OciConfig, MediaType.DockerConfig]);

/** Layers of a container image, OCI and Docker, distributable or not (Windows base layers are foreign). */
const IMAGE_LAYER_TYPES = new Set<string>([
  MediaType.OciLayer,
  MediaType.OciLayerGzip,
  MediaType.OciLayerZstd,
  "application/vnd.oci.image.layer.nondistributable.v1.tar",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
  "application/vnd.docker.image.rootfs.diff.tar",
  MediaType.DockerLayerGzip,
  "application/vnd.docker.image.rootfs.diff.tar.zstd",
  "application/vnd.docker.image.rootfs.foreign.diff.tar",
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
]);

/** An image layer; ocicrypt's encrypted layers (`…+encrypted`) are still image layers. */
const isImageLayer = (mediaType: string) => IMAGE_LAYER_TYPES.has(mediaType.replace(/\+encrypted$/, ""));

/**
 * Helm's types are built in while general OCI support is on (Quay registers them under FEATURE_HELM_OCI_SUPPORT,
 * which the seed folds into FEATURE_GENERAL_OCI_SUPPORT), so a list that names only the legacy
 * `application/tar+gzip` still takes what Helm 3.8+ pushes. The provenance layer is what `helm push` adds for a
 * signed chart.
 */
const BUILT_IN: Record<string, string[]> = {
  [MediaType.HelmConfig]: [
    "application/tar+gzip",
    "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
    "application/vnd.cncf.helm.chart.provenance.v1.prov",
  ],
};

/** The layer types allowed with an artifact type; [] allows any; undefined: the type is not allowed. */
function allowedLayers(type: string, policy: ArtifactPolicy): string[] | undefined {
  const listed = policy.allowed[type];
  const builtIn = policy.generalOciSupport ? BUILT_IN[type] : undefined;
  if (!listed) return builtIn;
  if (listed.length === 0 || !builtIn) return listed;
  return [...new Set([...builtIn, ...listed])];
}

/**
 * Refuses an image manifest the policy does not allow, with MANIFEST_INVALID as Quay does (its manifest schema
 * rejects unregistered config and layer types). A plain image (the standard config, no artifactType, only image
 * layers) always passes. Anything else is an artifact of type `artifactType ?? config.mediaType`: a cosign
 * signature, say, is the standard config with a simple-signing layer, so its layer must be listed under the
 * image config type.
 */
export function checkArtifactPolicy(m: ParsedManifest, policy: ArtifactPolicy): void {
  if (m.kind !== "image") return;
  const configType = m.config!.mediaType;
  const standardConfig = IMAGE_CONFIG_TYPES.has(configType);
  // With the standard config, image layers need no listing; with any other config every layer does.
  const checked = standardConfig ? m.layers.filter((l) => !isImageLayer(l.mediaType)) : m.layers;
  if (standardConfig && !m.artifactType && checked.length === 0) return;
  if (policy.generalOciSupport && Object.keys(policy.allowed).length === 0) return;
  const type = m.artifactType ?? configType;
  const layers = allowedLayers(type, policy);
  if (!layers) {
    if (standardConfig && !m.artifactType)
      throw new ContentError(
        "MANIFEST_INVALID",
        `layer media type ${checked[0]!.mediaType} is not allowed with config ${configType} on this registry ` +
          `(ALLOWED_OCI_ARTIFACT_TYPES)`,
        { artifactType: type, mediaType: checked[0]!.mediaType },
      );
    throw new ContentError(
      "MANIFEST_INVALID",
      `artifact type ${type} is not allowed on this registry (ALLOWED_OCI_ARTIFACT_TYPES)`,
      { artifactType: type },
    );
  }
  const bad = checked.find((l) => layers.length > 0 && !layers.includes(l.mediaType));
  if (bad)
    throw new ContentError(
      "MANIFEST_INVALID",
      `layer media type ${bad.mediaType} is not allowed for artifact type ${type} on this registry ` +
        `(ALLOWED_OCI_ARTIFACT_TYPES)`,
      { artifactType: type, mediaType: bad.mediaType },
    );
}
