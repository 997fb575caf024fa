// Helm charts and cosign signatures pushed and pulled as those tools do it, request for request (see
// oci-artifacts-fixtures.ts for the sources), on an open registry and with seed 001 §13.6's
// ALLOWED_OCI_ARTIFACT_TYPES. The policy's refusals are in oci-artifacts-policy.test.ts.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { CreateOrganizationDocument, TagsDocument } from "@hm/schema";
import { startTestSystem, type TestSystem } from "./harness.js";
import { GqlSession, signUp, type SignedIn } from "./gql-client.js";
import { RegistryClient } from "./registry-client.js";
import { team } from "./tenancy/fixtures.js";
import { WireClient, sha } from "./wire-client.js";
import {
  COSIGN_SIG_ARTIFACT,
  OCI_MANIFEST,
  SEED_ARTIFACT_TYPES,
  SIGSTORE_BUNDLE,
  cosignPutReferrer,
  cosignReferrer,
  cosignSign,
  helm38Push,
  helmChart,
  helmPull,
  orasPush,
  sigstoreBundleReferrer,
  subjectOf,
  type Artifact,
} from "./oci-artifacts-fixtures.js";

let open: TestSystem;
let seed: TestSystem;
let alice: GqlSession & SignedIn;
const CREDS: [string, string] = ["alice", "password-123"];

before(async () => {
  [open, seed] = await Promise.all([
    startTestSystem({}, { workers: false }),
    startTestSystem({ ALLOWED_OCI_ARTIFACT_TYPES: JSON.stringify(SEED_ARTIFACT_TYPES) }, { workers: false }),
  ]);
  alice = await signUp(open, "alice");
  await signUp(seed, "alice");
  // Seed §13.1: an organization named helm; alice is in a team that may create repositories there.
  const admin = await new GqlSession(open).login("admin", "admin-password");
  await admin.ok(CreateOrganizationDocument, { name: "helm" });
  await team(admin, "helm", "charts", "creator", alice);
});
after(async () => Promise.all([open?.stop(), seed?.stop()]));

const blobDigests = (a: Artifact) => [a.config, ...a.layers].map((b) => sha(b.bytes));
const tagsOf = async (sys: TestSystem, repo: string) => {
  const res = await new RegistryClient(sys, CREDS).req("GET", repo, "/tags/list", { actions: "pull" });
  return ((await res.json()) as { tags: string[] }).tags;
};

describe("helm", () => {
  const mychart = helmChart("mychart", "0.1.0", "3.8");
  const etherpad = helmChart("etherpad", "0.0.4", "3.13", true);

  test("helm 3.8 push oci://<host>/alice creates alice/mychart: containerd's sequence", async () => {
    const c = new WireClient(open.url, CREDS, "containerd");
    await helm38Push(c, "alice/mychart", "0.1.0", mychart);
    const [cfg, chart] = blobDigests(mychart);
    const r = "/v2/alice/mychart";
    const upload = (d: string) => [
      `POST ${r}/blobs/uploads/ 202`,
      `PUT ${r}/blobs/uploads/<id>?digest=${d} 201`,
    ];
    assert.deepEqual(c.log, [
      `HEAD ${r}/blobs/${cfg} 401`,
      "token repository:alice/mychart:pull,push",
      `HEAD ${r}/blobs/${cfg} 404`,
      ...upload(cfg!),
      `HEAD ${r}/blobs/${chart} 404`,
      ...upload(chart!),
      `HEAD ${r}/manifests/0.1.0 404`,
      `PUT ${r}/manifests/0.1.0 201`,
    ]);
    // containerd asks with an OAuth2 POST first (falling back to GET on 401, 404 or 405, as for GCR).
    assert.match(c.tokenRequests[0]!, /^POST \/v2\/auth \d+$/);
    assert.equal((await open.services.repos.find("alice/mychart"))?.visibility, "private");
  });

  test("helm 3.13+ push oci://<host>/helm with a provenance file, into an organization: oras-go v2's sequence", async () => {
    const c = new WireClient(open.url, CREDS, "oras");
    await orasPush(c, "helm/etherpad", "0.0.4", etherpad);
    const r = "/v2/helm/etherpad";
    const blobs = blobDigests(etherpad).flatMap((d) => [
      `HEAD ${r}/blobs/${d} 404`,
      `POST ${r}/blobs/uploads/ 202`,
      `PUT ${r}/blobs/uploads/<id>?digest=${d} 201`,
    ]);
    assert.equal(blobs.length, 9, "config, chart and provenance");
    assert.deepEqual(c.log, [
      `HEAD ${r}/manifests/${etherpad.digest} 401`,
      "token repository:helm/etherpad:pull,push",
      `HEAD ${r}/manifests/${etherpad.digest} 404`,
      ...blobs,
      `PUT ${r}/manifests/${etherpad.digest} 201`,
      `GET ${r}/manifests/${etherpad.digest} 200`,
      `PUT ${r}/manifests/0.0.4 201`,
    ]);
    assert.ok(await open.services.repos.find("helm/etherpad"), "push created the repository in the org");
  });

  test("helm pull gets the chart back byte for byte; tags/list shows the version", async () => {
    for (const [repo, tag, a] of [
      ["alice/mychart", "0.1.0", mychart],
      ["helm/etherpad", "0.0.4", etherpad],
    ] as const) {
      const c = new WireClient(open.url, CREDS, "oras");
      const got = await helmPull(c, repo, tag);
      assert.deepEqual(
        [got.digest, got.mediaType, got.manifest, got.blobs],
        [a.digest, OCI_MANIFEST, a.manifest, [a.config, ...a.layers].map((b) => b.bytes)],
      );
      assert.deepEqual(c.log.slice(0, 4), [
        `HEAD /v2/${repo}/manifests/${tag} 401`,
        `token repository:${repo}:pull`,
        `HEAD /v2/${repo}/manifests/${tag} 200`,
        `GET /v2/${repo}/manifests/${a.digest} 200`,
      ]);
      assert.deepEqual(await tagsOf(open, repo), [tag]);
    }
  });

  test("the console's tag view shows the chart: manifest type, digest, config plus layers as its size", async () => {
    const { repository } = await alice.ok(TagsDocument, { namespace: "helm", name: "etherpad" });
    const node = repository.tags.edges.map((e) => e.node)[0]!;
    const size = [etherpad.config, ...etherpad.layers].reduce((n, b) => n + b.bytes.length, 0);
    assert.deepEqual(
      [
        repository.tags.totalCount,
        node.name,
        node.manifestDigest,
        node.mediaType,
        node.isManifestList,
        node.size,
      ],
      [1, "0.0.4", etherpad.digest, OCI_MANIFEST, false, size],
    );
  });
});

describe("cosign", () => {
  const repo = "alice/busybox";
  let image: string;
  before(async () => {
    image = (await new RegistryClient(open, CREDS).pushImage(repo, "test")).digest;
  });

  test("cosign sign (seed §13.5) pushes the sha256-<hex>.sig tag; it reads back byte for byte", async () => {
    const c = new WireClient(open.url, CREDS, "ggcr");
    const { sig, put } = await cosignSign(c, open.host, repo, "test");
    assert.equal(put.status, 201);
    assert.equal(sig.tag, `sha256-${image.slice("sha256:".length)}.sig`);
    const r = `/v2/${repo}`;
    const streamed = (d: string) => [
      `HEAD ${r}/blobs/${d} 404`,
      `POST ${r}/blobs/uploads/ 202`,
      `PATCH ${r}/blobs/uploads/<id> 202`,
      `PUT ${r}/blobs/uploads/<id>?digest=${d} 201`,
    ];
    assert.deepEqual(c.log, [
      "GET /v2/ 401",
      `token repository:${repo}:pull`,
      `GET ${r}/manifests/test 200`,
      `GET ${r}/manifests/${sig.tag} 404`,
      "GET /v2/ 401",
      `token repository:${repo}:push,pull`,
      `HEAD ${r}/manifests/${sig.tag} 404`,
      ...[...sig.layers, sig.config].flatMap((b) => streamed(sha(b.bytes))),
      `PUT ${r}/manifests/${sig.tag} 201`,
    ]);
    const back = await c.expect(200, "GET", `${r}/manifests/${sig.tag}`, {
      headers: { accept: OCI_MANIFEST },
    });
    assert.deepEqual(Buffer.from(await back.arrayBuffer()), sig.manifest);
    assert.deepEqual(await tagsOf(open, repo), [sig.tag, "test"]);
  });

  test("as OCI 1.1 referrers (cosign's oci-1-1 mode and the v3 bundle): the referrers API lists both", async () => {
    const c = new WireClient(open.url, CREDS, "ggcr");
    const subject = await subjectOf(c, repo, "test");
    assert.equal(subject.digest, image);
    const sig = cosignReferrer(`${open.host}/${repo}`, subject);
    const bundle = sigstoreBundleReferrer(subject);
    const results = [
      await cosignPutReferrer(c, repo, sig, [...sig.layers, sig.config]),
      await cosignPutReferrer(c, repo, bundle, [bundle.config, ...bundle.layers]),
    ];
    for (const { put } of results) {
      assert.equal(put.status, 201);
      assert.equal(put.headers.get("oci-subject"), image);
    }
    const listed = results[1]!.referrers!.manifests;
    assert.deepEqual(
      listed.map((m) => [m.digest, m.artifactType, m.mediaType, m.size]),
      [
        [sig.digest, COSIGN_SIG_ARTIFACT, OCI_MANIFEST, sig.manifest.length],
        [bundle.digest, SIGSTORE_BUNDLE, OCI_MANIFEST, bundle.manifest.length],
      ],
    );
    assert.equal(
      (listed[1]!.annotations as Record<string, string>)["dev.sigstore.bundle.content"],
      "dsse-envelope",
    );
    const filtered = await c.expect(
      200,
      "GET",
      `/v2/${repo}/referrers/${image}?artifactType=${encodeURIComponent(COSIGN_SIG_ARTIFACT)}`,
    );
    assert.equal(filtered.headers.get("oci-filters-applied"), "artifactType");
    const only = (await filtered.json()) as { manifests: { digest: string }[] };
    assert.deepEqual(
      only.manifests.map((m) => m.digest),
      [sig.digest],
    );
  });
});

describe("seed 001 §13.6 ALLOWED_OCI_ARTIFACT_TYPES", () => {
  test("Helm charts of every Helm version are accepted: Helm's own layer types are built in", async () => {
    // The legacy layer type is the one the seed lists; Helm 3.8+'s chart layer is not listed.
    const legacy = helmChart("legacy", "1.0.0", "3.0");
    await helm38Push(new WireClient(seed.url, CREDS, "containerd"), "alice/legacy", "1.0.0", legacy);
    await helm38Push(
      new WireClient(seed.url, CREDS, "containerd"),
      "alice/mychart",
      "0.1.0",
      helmChart("mychart", "0.1.0", "3.8"),
    );
    const signed = helmChart("etherpad", "0.0.4", "3.13", true);
    await orasPush(new WireClient(seed.url, CREDS, "oras"), "alice/etherpad", "0.0.4", signed);
    const got = await helmPull(new WireClient(seed.url, CREDS, "oras"), "alice/etherpad", "0.0.4");
    assert.equal(got.digest, signed.digest);
  });

  test("cosign's signature tag is accepted, and so are plain images", async () => {
    await new RegistryClient(seed, CREDS).pushImage("alice/busybox", "test");
    const { put } = await cosignSign(
      new WireClient(seed.url, CREDS, "ggcr"),
      seed.host,
      "alice/busybox",
      "test",
    );
    assert.equal(put.status, 201);
  });

  test("the referrer forms are refused: the seed lists neither artifact type", async () => {
    const c = new WireClient(seed.url, CREDS, "ggcr");
    const subject = await subjectOf(c, "alice/busybox", "test");
    const sig = cosignReferrer(`${seed.host}/alice/busybox`, subject);
    const bundle = sigstoreBundleReferrer(subject);
    for (const [a, blobs, type] of [
      [sig, [...sig.layers, sig.config], COSIGN_SIG_ARTIFACT],
      [bundle, [bundle.config, ...bundle.layers], SIGSTORE_BUNDLE],
    ] as const) {
      const { put, referrers } = await cosignPutReferrer(c, "alice/busybox", a, [...blobs]);
      assert.equal(put.status, 400);
      const error = ((await put.json()) as { errors: { code: string; message: string }[] }).errors[0]!;
      assert.equal(error.code, "MANIFEST_INVALID");
      assert.equal(
        error.message,
        `artifact type ${type} is not allowed on this registry (ALLOWED_OCI_ARTIFACT_TYPES)`,
      );
      assert.equal(referrers, null);
    }
    const listed = await c.expect(200, "GET", `/v2/alice/busybox/referrers/${subject.digest}`);
    assert.deepEqual(((await listed.json()) as { manifests: unknown[] }).manifests, []);
  });
});
