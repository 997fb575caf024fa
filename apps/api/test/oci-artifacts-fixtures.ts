// What Helm and cosign put on the wire, byte for byte: the manifests they build and the request sequences of
// the libraries they push with. Read from their sources:
// - helm/helm pkg/registry/client.go Push and Pull. v3.8.0 packs with oras-go v1.1.0 (content.GenerateManifest:
//   no annotations) and pushes through containerd 1.5.9's remotes/docker pusher; v3.13+ packs with oras-go v2
//   (ocispec.Manifest with generateOCIAnnotations, layers sorted by digest) and pushes with oras.ExtendedCopy.
// - oras-go v2 registry/remote/repository.go (blobStore.Push: POST then one PUT ?digest= with the whole body;
//   manifestStore.Tag: GET by digest, then PUT by tag) and copy.go (HEAD before every push).
// - sigstore/cosign pkg/oci/remote/write.go (WriteSignatures: the `sha256-<hex>.sig` tag;
//   WriteSignaturesExperimentalOCI: the same signature as an OCI 1.1 referrer; WriteReferrer: the v3 bundle),
//   over google/go-containerregistry pkg/v1/remote (HEAD, POST, PATCH, PUT ?digest= without a body).
import assert from "node:assert/strict";
import crypto from "node:crypto";
import zlib from "node:zlib";
import { sha, type Blob, type WireClient } from "./wire-client.js";

export { sha };
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";
export const HELM_CHART = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
export const HELM_PROV = "application/vnd.cncf.helm.chart.provenance.v1.prov";
export const SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
export const COSIGN_SIG_ARTIFACT = "application/vnd.dev.cosign.artifact.sig.v1+json";
export const SIGSTORE_BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json";
export const OCI_EMPTY = "application/vnd.oci.empty.v1+json";
/** Accept of oras-go v2's Resolve (docker manifest and list, OCI manifest and index, OCI artifact manifest). */
const ORAS_ACCEPT =
  "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, " +
  `${OCI_MANIFEST}, application/vnd.oci.image.index.v1+json, application/vnd.oci.artifact.manifest.v1+json`;

/** Seed 001 §13.6's ALLOWED_OCI_ARTIFACT_TYPES (the environment carries it as JSON). */
export const SEED_ARTIFACT_TYPES = {
  [OCI_CONFIG]: [SIMPLE_SIGNING],
  [HELM_CONFIG]: ["application/tar+gzip"],
  "application/vnd.sylabs.sif.config.v1+json": ["application/vnd.sylabs.sif.layer.v1+tar"],
};

export interface Artifact {
  config: Blob;
  layers: Blob[];
  manifest: Buffer;
  digest: string;
}
const desc = (b: Blob) => ({ mediaType: b.mediaType, digest: sha(b.bytes), size: b.bytes.length });
/** go-containerregistry orders a descriptor's fields mediaType, size, digest. */
const ggcrDesc = (b: Blob) => ({ mediaType: b.mediaType, size: b.bytes.length, digest: sha(b.bytes) });
const artifact = (config: Blob, layers: Blob[], doc: unknown): Artifact => {
  const manifest = json(doc);
  return { config, layers, manifest, digest: sha(manifest) };
};

/**
 * A packaged chart as `helm create <name>` makes it; the config is chart.Metadata as Go marshals it (fields in
 * struct order, empty ones left out). The archive is opaque to a registry, so any gzip stream will do. "3.0" is
 * the 3.8 shape with the layer type of Helm's experimental OCI support (`application/tar+gzip`, which Helm still
 * pulls as LegacyChartLayerMediaType).
 */
export function helmChart(
  name: string,
  version: string,
  variant: "3.0" | "3.8" | "3.13",
  prov = false,
): Artifact {
  const config: Blob = {
    mediaType: HELM_CONFIG,
    bytes: json({
      name,
      version,
      description: "A Helm chart for Kubernetes",
      apiVersion: "v2",
      appVersion: "1.16.0",
      type: "application",
    }),
  };
  const chart = {
    mediaType: variant === "3.0" ? "application/tar+gzip" : HELM_CHART,
    bytes: zlib.gzipSync(`${name}/Chart.yaml\nname: ${name}\n`),
  };
  if (variant !== "3.13")
    return artifact(config, [chart], { schemaVersion: 2, config: desc(config), layers: [desc(chart)] });
  const layers = prov
    ? [chart, { mediaType: HELM_PROV, bytes: Buffer.from(`-----BEGIN PGP SIGNED MESSAGE-----\n${name}\n`) }]
    : [chart];
  layers.sort((a, b) => (sha(a.bytes) < sha(b.bytes) ? -1 : 1));
  return artifact(config, layers, {
    schemaVersion: 2,
    config: desc(config),
    layers: layers.map(desc),
    // A Go map: keys in sorted order.
    annotations: {
      "org.opencontainers.image.created": "2025-06-01T12:00:00Z",
      "org.opencontainers.image.description": "A Helm chart for Kubernetes",
      "org.opencontainers.image.title": name,
      "org.opencontainers.image.version": version,
    },
  });
}

/** The simple-signing payload cosign signs, and a real ECDSA P-256 signature of it. */
function signedPayload(dockerReference: string, imageDigest: string): Blob & { signature: string } {
  const bytes = json({
    critical: {
      identity: { "docker-reference": dockerReference },
      image: { "docker-manifest-digest": imageDigest },
      type: "cosign container image signature",
    },
    optional: null,
  });
  const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const signature = crypto.sign("sha256", bytes, privateKey).toString("base64");
  return { mediaType: SIMPLE_SIGNING, bytes, signature };
}

/** The config of cosign's signature image: go-containerregistry's empty image with one appended layer. */
const signatureConfig = (payload: Buffer): Blob => ({
  mediaType: OCI_CONFIG,
  bytes: json({
    architecture: "",
    created: "0001-01-01T00:00:00Z",
    history: [{ created: "0001-01-01T00:00:00Z" }],
    os: "",
    rootfs: { type: "layers", diff_ids: [sha(payload)] },
    config: {},
  }),
});

/** `cosign sign`: the signature image tagged `sha256-<hex>.sig` (tag-based discovery). */
export function cosignSignature(dockerReference: string, imageDigest: string): Artifact & { tag: string } {
  const payload = signedPayload(dockerReference, imageDigest);
  const config = signatureConfig(payload.bytes);
  const layer = {
    ...ggcrDesc(payload),
    annotations: { "dev.cosignproject.cosign/signature": payload.signature },
  };
  const doc = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: ggcrDesc(config), layers: [layer] };
  return { ...artifact(config, [payload], doc), tag: `${imageDigest.replace(":", "-")}.sig` };
}

export interface Subject {
  mediaType: string;
  digest: string;
  size: number;
}

/** `cosign sign --registry-referrers-mode=oci-1-1`: config media type and artifactType both cosign's "sig". */
export function cosignReferrer(dockerReference: string, subject: Subject): Artifact {
  const payload = signedPayload(dockerReference, subject.digest);
  const config = { ...signatureConfig(payload.bytes), mediaType: COSIGN_SIG_ARTIFACT };
  const layer = {
    ...ggcrDesc(payload),
    annotations: { "dev.cosignproject.cosign/signature": payload.signature },
  };
  return artifact(config, [payload], {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: ggcrDesc(config),
    layers: [layer],
    subject: { mediaType: subject.mediaType, size: subject.size, digest: subject.digest },
    artifactType: COSIGN_SIG_ARTIFACT,
  });
}

/** cosign v3's default `sign`: a Sigstore bundle as a referrer, with the empty `{}` config. */
export function sigstoreBundleReferrer(subject: Subject): Artifact {
  const config: Blob = { mediaType: OCI_EMPTY, bytes: Buffer.from("{}") };
  const bundle: Blob = {
    mediaType: SIGSTORE_BUNDLE,
    bytes: json({ mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json", dsseEnvelope: {} }),
  };
  return artifact(config, [bundle], {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { ...ggcrDesc(config), artifactType: SIGSTORE_BUNDLE },
    layers: [ggcrDesc(bundle)],
    annotations: {
      "dev.sigstore.bundle.content": "dsse-envelope",
      "dev.sigstore.bundle.predicateType": "https://sigstore.dev/cosign/sign/v1",
      "org.opencontainers.image.created": "2025-06-01T12:00:00Z",
    },
    subject: { mediaType: subject.mediaType, size: subject.size, digest: subject.digest },
    artifactType: SIGSTORE_BUNDLE,
  });
}

const pushScope = (repo: string) => `repository:${repo}:pull,push`;

/** `helm push` of Helm 3.8 (oras-go v1 over containerd): blobs first, then HEAD and PUT of the manifest by tag. */
export async function helm38Push(c: WireClient, repo: string, tag: string, a: Artifact) {
  const scope = pushScope(repo);
  for (const blob of [a.config, ...a.layers]) {
    await c.expect(404, "HEAD", `/v2/${repo}/blobs/${sha(blob.bytes)}`, {
      headers: { accept: `${blob.mediaType}, */*` },
      scope,
    });
    await c.putBlobMonolithic(repo, blob, scope);
  }
  await c.expect(404, "HEAD", `/v2/${repo}/manifests/${tag}`, {
    headers: { accept: `${OCI_MANIFEST}, */*` },
    scope,
  });
  const put = await c.expect(201, "PUT", `/v2/${repo}/manifests/${tag}`, {
    body: a.manifest,
    headers: { "content-type": OCI_MANIFEST },
    scope,
  });
  assert.equal(put.headers.get("docker-content-digest"), a.digest);
}

/** `helm push` of Helm 3.13+ (oras.ExtendedCopy): HEAD of the manifest, blobs, PUT by digest, then the tag. */
export async function orasPush(c: WireClient, repo: string, tag: string, a: Artifact) {
  const scope = pushScope(repo);
  await c.expect(404, "HEAD", `/v2/${repo}/manifests/${a.digest}`, {
    headers: { accept: ORAS_ACCEPT },
    scope,
  });
  for (const blob of [a.config, ...a.layers]) {
    await c.expect(404, "HEAD", `/v2/${repo}/blobs/${sha(blob.bytes)}`, { scope });
    await c.putBlobMonolithic(repo, blob, scope);
  }
  const manifest = { body: a.manifest, headers: { "content-type": OCI_MANIFEST }, scope };
  await c.expect(201, "PUT", `/v2/${repo}/manifests/${a.digest}`, manifest);
  // manifestStore.Tag fetches the manifest back and checks its Content-Type and digest before tagging.
  const got = await c.expect(200, "GET", `/v2/${repo}/manifests/${a.digest}`, {
    headers: { accept: OCI_MANIFEST },
    scope,
  });
  assert.equal(got.headers.get("content-type"), OCI_MANIFEST);
  assert.equal(got.headers.get("docker-content-digest"), a.digest);
  await got.arrayBuffer();
  await c.expect(201, "PUT", `/v2/${repo}/manifests/${tag}`, manifest);
}

/** `helm pull oci://…/<repo> --version <tag>` (oras.Copy): resolve the tag, fetch the manifest, then blobs. */
export async function helmPull(c: WireClient, repo: string, tag: string) {
  const head = await c.expect(200, "HEAD", `/v2/${repo}/manifests/${tag}`, {
    headers: { accept: ORAS_ACCEPT },
  });
  const digest = head.headers.get("docker-content-digest")!;
  const mediaType = head.headers.get("content-type")!;
  const res = await c.expect(200, "GET", `/v2/${repo}/manifests/${digest}`, {
    headers: { accept: mediaType },
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.equal(sha(bytes), digest);
  const doc = JSON.parse(bytes.toString()) as { config: { digest: string }; layers: { digest: string }[] };
  const blobs: Buffer[] = [];
  for (const d of [doc.config.digest, ...doc.layers.map((l) => l.digest)]) {
    const blob = Buffer.from(await (await c.expect(200, "GET", `/v2/${repo}/blobs/${d}`)).arrayBuffer());
    assert.equal(sha(blob), d, "oras verifies every blob it reads");
    blobs.push(blob);
  }
  return { digest, mediaType, manifest: bytes, blobs };
}

const GGCR_ACCEPT =
  "application/vnd.docker.distribution.manifest.v1+json, application/vnd.docker.distribution.manifest.v1+prettyjws, " +
  `application/vnd.docker.distribution.manifest.v2+json, ${OCI_MANIFEST}, ` +
  "application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.index.v1+json";

/** The manifest a reference names, as a subject descriptor (cosign's remote.Head). */
export async function subjectOf(c: WireClient, repo: string, ref: string): Promise<Subject> {
  const res = await c.expect(200, "HEAD", `/v2/${repo}/manifests/${ref}`, {
    headers: { accept: GGCR_ACCEPT },
  });
  return {
    mediaType: res.headers.get("content-type")!,
    digest: res.headers.get("docker-content-digest")!,
    size: Number(res.headers.get("content-length")),
  };
}

/**
 * `cosign sign --key cosign.key <host>/<repo>:<tag>` (seed §13.5): resolve the tag, look for earlier signatures,
 * then push the signature image under `sha256-<hex>.sig` with go-containerregistry's writer.
 */
export async function cosignSign(c: WireClient, host: string, repo: string, tag: string) {
  const pull = `repository:${repo}:pull`;
  await c.ping(pull);
  const image = await c.expect(200, "GET", `/v2/${repo}/manifests/${tag}`, {
    headers: { accept: GGCR_ACCEPT },
  });
  await image.arrayBuffer();
  const sig = cosignSignature(`${host}/${repo}`, image.headers.get("docker-content-digest")!);
  await c.expect(404, "GET", `/v2/${repo}/manifests/${sig.tag}`, { headers: { accept: GGCR_ACCEPT } });
  const push = `repository:${repo}:push,pull`;
  await c.ping(push);
  await c.expect(404, "HEAD", `/v2/${repo}/manifests/${sig.tag}`, {
    headers: { accept: GGCR_ACCEPT },
    scope: push,
  });
  for (const blob of [...sig.layers, sig.config]) await c.putBlobStreamed(repo, blob, push);
  const put = await c.send("PUT", `/v2/${repo}/manifests/${sig.tag}`, {
    body: sig.manifest,
    headers: { "content-type": OCI_MANIFEST },
    scope: push,
  });
  return { sig, put };
}

/**
 * A referrer as cosign writes it (remote.WriteLayer for each blob, then remote.Put by digest): go-containerregistry
 * checks the manifest is not there yet, PUTs it, and asks the referrers API whether the registry indexes it.
 */
export async function cosignPutReferrer(c: WireClient, repo: string, a: Artifact, blobs: Blob[]) {
  const push = `repository:${repo}:push,pull`;
  await c.ping(push);
  for (const blob of blobs) await c.putBlobStreamed(repo, blob, push);
  await c.expect(404, "HEAD", `/v2/${repo}/manifests/${a.digest}`, {
    headers: { accept: GGCR_ACCEPT },
    scope: push,
  });
  const put = await c.send("PUT", `/v2/${repo}/manifests/${a.digest}`, {
    body: a.manifest,
    headers: { "content-type": OCI_MANIFEST },
    scope: push,
  });
  if (put.status !== 201) return { put, referrers: null };
  const subject = (JSON.parse(a.manifest.toString()) as { subject: Subject }).subject;
  const referrers = await c.expect(200, "GET", `/v2/${repo}/referrers/${subject.digest}`, {
    headers: { accept: "application/vnd.oci.image.index.v1+json" },
    scope: push,
  });
  return { put, referrers: (await referrers.json()) as { manifests: Record<string, unknown>[] } };
}
