// ALLOWED_OCI_ARTIFACT_TYPES and FEATURE_GENERAL_OCI_SUPPORT refusing what they do not allow: a cosign signature
// (the standard image config with a simple-signing layer) under a policy that does not list its layer, and the
// allowed list alone when general OCI support is off. Plain images must pass every policy.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseManifest, type ParsedManifest } from "@hm/oci";
import { checkArtifactPolicy, type ArtifactPolicy } from "../src/content/artifact-policy.js";
import { ContentError } from "../src/content/errors.js";
import { startTestSystem, type TestSystem } from "./harness.js";
import { signUp } from "./gql-client.js";
import { RegistryClient } from "./registry-client.js";
import { WireClient } from "./wire-client.js";
import {
  HELM_CHART,
  HELM_CONFIG,
  OCI_CONFIG,
  OCI_MANIFEST,
  SEED_ARTIFACT_TYPES,
  SIMPLE_SIGNING,
  cosignSign,
  helm38Push,
  helmChart,
} from "./oci-artifacts-fixtures.js";

const CREDS: [string, string] = ["alice", "password-123"];
const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
/** Every layer type a container image is pushed with; none of them needs listing. */
const OCI_LAYERS = [
  "application/vnd.oci.image.layer.v1.tar",
  "application/vnd.oci.image.layer.v1.tar+gzip",
  "application/vnd.oci.image.layer.v1.tar+zstd",
  "application/vnd.oci.image.layer.nondistributable.v1.tar",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  "application/vnd.oci.image.layer.v1.tar+gzip+encrypted",
];
const DOCKER_LAYERS = [
  "application/vnd.docker.image.rootfs.diff.tar.gzip",
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
];

/** The seed's list without its cosign line: helm's legacy layer and Singularity only. */
const NO_COSIGN = Object.fromEntries(
  Object.entries(SEED_ARTIFACT_TYPES).filter(([config]) => config !== OCI_CONFIG),
);

let noCosign: TestSystem;
let generalOff: TestSystem;
before(async () => {
  [noCosign, generalOff] = await Promise.all([
    startTestSystem({ ALLOWED_OCI_ARTIFACT_TYPES: JSON.stringify(NO_COSIGN) }, { workers: false }),
    startTestSystem(
      {
        FEATURE_GENERAL_OCI_SUPPORT: "false",
        ALLOWED_OCI_ARTIFACT_TYPES: JSON.stringify(SEED_ARTIFACT_TYPES),
      },
      { workers: false },
    ),
  ]);
  await Promise.all([signUp(noCosign, "alice"), signUp(generalOff, "alice")]);
});
after(async () => Promise.all([noCosign?.stop(), generalOff?.stop()]));

/** Pushes a manifest of the given types (blobs included) and returns the answer's status and error. */
async function push(
  sys: TestSystem,
  repo: string,
  mediaType: string,
  configType: string,
  layerTypes: string[],
) {
  const c = new RegistryClient(sys, CREDS);
  const config = JSON.stringify({
    architecture: "amd64",
    os: "linux",
    rootfs: { type: "layers", diff_ids: [] },
  });
  const desc = async (type: string, content: string) => ({
    mediaType: type,
    digest: await c.pushBlob(repo, content),
    size: Buffer.byteLength(content),
  });
  const layers = await Promise.all(layerTypes.map((t, i) => desc(t, `${repo} layer ${i} ${t}`)));
  const bytes = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType, config: await desc(configType, config), layers }),
  );
  const res = await c.putManifest(repo, "v1", bytes, mediaType);
  const body =
    res.status === 201 ? null : ((await res.json()) as { errors: { code: string; message: string }[] });
  return { status: res.status, error: body?.errors[0] };
}

describe("a policy that does not list cosign's layer type", () => {
  test("refuses cosign's signature with MANIFEST_INVALID naming the layer; no tag is left behind", async () => {
    await new RegistryClient(noCosign, CREDS).pushImage("alice/busybox", "test");
    const c = new WireClient(noCosign.url, CREDS, "ggcr");
    const { sig, put } = await cosignSign(c, noCosign.host, "alice/busybox", "test");
    assert.equal(put.status, 400);
    assert.deepEqual(((await put.json()) as { errors: unknown[] }).errors, [
      {
        code: "MANIFEST_INVALID",
        message:
          `layer media type ${SIMPLE_SIGNING} is not allowed with config ${OCI_CONFIG} on this registry ` +
          "(ALLOWED_OCI_ARTIFACT_TYPES)",
        detail: { artifactType: OCI_CONFIG, mediaType: SIMPLE_SIGNING },
      },
    ]);
    await c.expect(404, "HEAD", `/v2/alice/busybox/manifests/${sig.tag}`);
    const tags = await c.expect(200, "GET", "/v2/alice/busybox/tags/list");
    assert.deepEqual(((await tags.json()) as { tags: string[] }).tags, ["test"]);
  });

  test("a standard layer next to the signing layer does not help", async () => {
    const r = await push(noCosign, "alice/mixed", OCI_MANIFEST, OCI_CONFIG, [OCI_LAYERS[1]!, SIMPLE_SIGNING]);
    assert.deepEqual([r.status, r.error?.code], [400, "MANIFEST_INVALID"]);
  });

  test("plain images pass with every standard layer type, OCI and Docker", async () => {
    assert.equal((await push(noCosign, "alice/oci", OCI_MANIFEST, OCI_CONFIG, OCI_LAYERS)).status, 201);
    assert.equal(
      (await push(noCosign, "alice/docker", DOCKER_MANIFEST, DOCKER_CONFIG, DOCKER_LAYERS)).status,
      201,
    );
  });

  test("Helm charts pass: Helm's types are built in while general OCI support is on", async () => {
    const chart = helmChart("mychart", "0.1.0", "3.8");
    await helm38Push(new WireClient(noCosign.url, CREDS, "containerd"), "alice/mychart", "0.1.0", chart);
  });
});

describe("FEATURE_GENERAL_OCI_SUPPORT=false with the seed's list: only the list applies", () => {
  test("images and the listed artifacts pass", async () => {
    assert.equal((await push(generalOff, "alice/oci", OCI_MANIFEST, OCI_CONFIG, OCI_LAYERS)).status, 201);
    await new RegistryClient(generalOff, CREDS).pushImage("alice/busybox", "test");
    const c = new WireClient(generalOff.url, CREDS, "ggcr");
    assert.equal((await cosignSign(c, generalOff.host, "alice/busybox", "test")).put.status, 201);
    const legacy = await push(generalOff, "alice/legacy", OCI_MANIFEST, HELM_CONFIG, [
      "application/tar+gzip",
    ]);
    assert.equal(legacy.status, 201);
  });

  test("Helm 3.8+'s chart layer is refused: it is built in only with general OCI support", async () => {
    const r = await push(generalOff, "alice/mychart", OCI_MANIFEST, HELM_CONFIG, [HELM_CHART]);
    assert.deepEqual([r.status, r.error?.code], [400, "MANIFEST_INVALID"]);
    assert.match(
      r.error!.message,
      /layer media type application\/vnd\.cncf\.helm\.chart\.content\.v1\.tar\+gzip/,
    );
  });
});

describe("checkArtifactPolicy", () => {
  const manifest = (configType: string, layerTypes: string[], extra: Record<string, unknown> = {}) =>
    parseManifest(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { mediaType: configType, digest: `sha256:${"c".repeat(64)}`, size: 2 },
          layers: layerTypes.map((mediaType) => ({ mediaType, digest: `sha256:${"a".repeat(64)}`, size: 1 })),
          ...extra,
        }),
      ),
    );
  const verdict = (m: ParsedManifest, policy: ArtifactPolicy) => {
    try {
      checkArtifactPolicy(m, policy);
      return "allowed";
    } catch (e) {
      assert.ok(e instanceof ContentError && e.reason === "MANIFEST_INVALID", String(e));
      return "refused";
    }
  };
  const image = manifest(OCI_CONFIG, OCI_LAYERS);
  const cosign = manifest(OCI_CONFIG, [SIMPLE_SIGNING]);
  const chart = manifest(HELM_CONFIG, [HELM_CHART]);

  test("general support on and no list: everything passes", () => {
    const open = { generalOciSupport: true, allowed: {} };
    assert.deepEqual(
      [image, cosign, chart].map((m) => verdict(m, open)),
      ["allowed", "allowed", "allowed"],
    );
  });

  test("general support off and no list: images only", () => {
    const off = { generalOciSupport: false, allowed: {} };
    assert.deepEqual(
      [image, cosign, chart].map((m) => verdict(m, off)),
      ["allowed", "refused", "refused"],
    );
  });

  test("an empty layer list allows any layer with that config; artifactType is the type looked up", () => {
    const anyLayer = { generalOciSupport: true, allowed: { [OCI_CONFIG]: [] } };
    assert.equal(verdict(cosign, anyLayer), "allowed");
    const typed = manifest(OCI_CONFIG, [SIMPLE_SIGNING], { artifactType: "application/x.sig" });
    assert.equal(verdict(typed, anyLayer), "refused");
    assert.equal(
      verdict(typed, { generalOciSupport: true, allowed: { "application/x.sig": [SIMPLE_SIGNING] } }),
      "allowed",
    );
  });
});
