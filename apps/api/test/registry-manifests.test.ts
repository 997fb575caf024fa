// Manifests and tags over real HTTP (/v2), and the artifact policy, against the real database and Redis.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { registryToken, startTestSystem, watchRepository, type TestSystem } from "./harness.js";
import { RegistryClient, sha } from "./registry-client.js";
import { errCode, registryWorld } from "./registry-fixtures.js";

let sys: TestSystem;
let alice: RegistryClient;
registryWorld((w) => ({ sys, alice } = w));

describe("manifests and tags", () => {
  const repo = "alice/app";

  test("PUT by tag, GET and HEAD by tag and digest", async () => {
    const bytes = await alice.imageManifest(repo);
    await watchRepository(sys, repo, ["repo_push"]); // so that the push event becomes a notifications job
    const res = await alice.putManifest(repo, "v1", bytes);
    assert.equal(res.status, 201);
    const digest = sha(bytes);
    assert.equal(res.headers.get("location"), `/v2/${repo}/manifests/${digest}`);
    assert.equal(res.headers.get("docker-content-digest"), digest);
    for (const ref of ["v1", digest]) {
      const get = await alice.req("GET", repo, `/manifests/${ref}`, {
        headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
      });
      assert.equal(get.status, 200);
      assert.equal(get.headers.get("content-type"), "application/vnd.oci.image.manifest.v1+json");
      assert.deepEqual(Buffer.from(await get.arrayBuffer()), bytes);
      const head = await alice.req("HEAD", repo, `/manifests/${ref}`);
      assert.equal(head.headers.get("docker-content-digest"), digest);
    }
    const entry = await sys.db.auditLog.findFirst({
      where: { kind: "push_repo", metadata: { path: ["manifest_digest"], equals: digest } },
    });
    const aliceRow = await sys.db.user.findUniqueOrThrow({ where: { username: "alice" } });
    assert.deepEqual(
      [entry?.performer, entry?.performerId, entry?.metadata],
      ["alice", aliceRow.id, { repo: "app", namespace: "alice", tag: "v1", manifest_digest: digest }],
    );
    const pushEvent = await sys.db.jobRecord.findFirst({
      where: { queue: "notifications", name: "repo_push", payload: { path: ["digest"], equals: digest } },
    });
    const { eventId, ...payload } = pushEvent!.payload as { eventId: string };
    assert.match(eventId, /^[0-9a-f-]{36}$/, "each event carries its id");
    assert.deepEqual(payload, {
      repository: repo,
      namespace: "alice",
      tags: ["v1"],
      digest,
      pusher: "alice",
    });
  });

  test("PUT by digest is verified", async () => {
    const { bytes } = await alice.pushImage(repo, "tmp");
    const ok = await alice.putManifest(repo, sha(bytes), bytes);
    assert.equal(ok.status, 201);
    const wrong = await alice.putManifest(repo, sha("other"), bytes);
    assert.equal(wrong.status, 400);
    assert.equal(await errCode(wrong), "DIGEST_INVALID");
  });

  test("manifests naming unknown blobs or children are refused", async () => {
    const m = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha("nope"), size: 4 },
      layers: [],
    };
    const res = await alice.putManifest(repo, "broken", Buffer.from(JSON.stringify(m)));
    assert.equal(await errCode(res), "MANIFEST_BLOB_UNKNOWN");
    const idx = {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: sha("x"), size: 1 }],
    };
    const r2 = await alice.putManifest(
      repo,
      "broken-index",
      Buffer.from(JSON.stringify(idx)),
      "application/vnd.oci.image.index.v1+json",
    );
    assert.equal(await errCode(r2), "MANIFEST_BLOB_UNKNOWN");
  });

  test("malformed and oversized manifests", async () => {
    const bad = await alice.putManifest(repo, "bad", Buffer.from("{not json"));
    assert.equal(bad.status, 400);
    assert.equal(await errCode(bad), "MANIFEST_INVALID");
    const big = await alice.putManifest(repo, "big", Buffer.alloc(4 * 1024 * 1024 + 1, 0x20));
    assert.equal(big.status, 413);
    const unknown = await alice.req("GET", repo, "/manifests/does-not-exist");
    assert.equal(unknown.status, 404);
    assert.equal(await errCode(unknown), "MANIFEST_UNKNOWN");
  });

  test("a reference that is neither a tag nor a digest: 404 to look up or delete, 400 to push", async () => {
    // `.INVALID_MANIFEST_NAME` is the conformance suite's "nonexistent manifest".
    for (const ref of [".INVALID_MANIFEST_NAME", "sha256:abc"]) {
      for (const method of ["GET", "HEAD", "DELETE"]) {
        const res = await alice.req(method, repo, `/manifests/${ref}`);
        assert.equal(res.status, 404, `${method} ${ref}`);
        if (method !== "HEAD") assert.equal(await errCode(res), "MANIFEST_UNKNOWN");
      }
    }
    const { bytes } = await alice.pushImage(repo, "named");
    const put = await alice.putManifest(repo, ".INVALID_MANIFEST_NAME", bytes);
    assert.equal(put.status, 400);
    assert.equal(await errCode(put), "TAG_INVALID");
  });

  test("bad names and references are NAME_INVALID / 400, never a file-system error", async () => {
    const t = await registryToken(sys, [], ["alice", "alice-password"]);
    for (const p of [
      "/v2/alice/../etc/manifests/latest",
      "/v2/alice/%2e%2e/x/tags/list",
      "/v2/Alice/App/tags/list",
      "/v2/alice/app/manifests/..%2f..%2fetc",
      "/v2/alice/app/blobs/sha256:..%2f..%2fx",
    ]) {
      const res = await fetch(`${sys.url}${p}`, { headers: { authorization: `Bearer ${t}` } });
      assert.ok([400, 401, 404].includes(res.status), `${p} → ${res.status}`);
      assert.match(res.headers.get("content-type") ?? "", /json/);
    }
    const res = await fetch(`${sys.url}/v2/alice/a..b/tags/list`, {
      headers: { authorization: `Bearer ${t}` },
    });
    assert.equal(res.status, 400);
    assert.equal(await errCode(res), "NAME_INVALID");
  });

  test("tags/list pages with n, last and a Link header, in lexical order", async () => {
    for (const t of ["b", "a", "c", "d"]) await alice.pushImage("alice/paged", t, { layer: "same" });
    const p1 = await alice.req("GET", "alice/paged", "/tags/list?n=2");
    assert.deepEqual(await p1.json(), { name: "alice/paged", tags: ["a", "b"] });
    assert.equal(p1.headers.get("link"), `</v2/alice/paged/tags/list?n=2&last=b>; rel="next"`);
    const p2 = await alice.req("GET", "alice/paged", "/tags/list?n=2&last=b");
    assert.deepEqual((await p2.json()).tags, ["c", "d"]);
    const p3 = await alice.req("GET", "alice/paged", "/tags/list?n=2&last=d");
    assert.deepEqual((await p3.json()).tags, []);
    assert.equal(p3.headers.get("link"), null);
    const all = await alice.req("GET", "alice/paged", "/tags/list");
    assert.deepEqual((await all.json()).tags, ["a", "b", "c", "d"]);
  });

  test("moving a tag keeps history; deleting a tag and a manifest", async () => {
    const one = await alice.pushImage("alice/del", "x");
    const two = await alice.pushImage("alice/del", "x");
    assert.notEqual(one.digest, two.digest);
    const r = (await sys.services.repos.find("alice/del"))!;
    assert.equal(await sys.db.tag.count({ where: { repositoryId: r.id, name: "x" } }), 2);
    assert.equal((await alice.req("DELETE", "alice/del", "/manifests/x")).status, 202);
    assert.equal((await alice.req("GET", "alice/del", "/manifests/x")).status, 404);
    assert.equal((await alice.req("DELETE", "alice/del", "/manifests/x")).status, 404);
    assert.equal(
      (await alice.req("GET", "alice/del", `/manifests/${two.digest}`)).status,
      200,
      "the manifest survives its tag",
    );
    assert.equal((await alice.req("DELETE", "alice/del", `/manifests/${two.digest}`)).status, 202);
    assert.equal((await alice.req("GET", "alice/del", `/manifests/${two.digest}`)).status, 404);
    assert.ok(await sys.db.auditLog.findFirst({ where: { kind: "delete_tag", repositoryId: r.id } }));
  });

  test("concurrent pushes of one tag serialise: every push succeeds, one row stays alive", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => alice.pushImage("alice/race", "latest", { layer: `race-${i}` })),
    );
    const r = (await sys.services.repos.find("alice/race"))!;
    const rows = await sys.db.tag.findMany({
      where: { repositoryId: r.id, name: "latest" },
      orderBy: { lifetimeStart: "asc" },
    });
    assert.equal(rows.length, 10);
    assert.equal(rows.filter((t) => t.lifetimeEnd === null).length, 1);
    for (let i = 1; i < rows.length; i++)
      assert.deepEqual(rows[i - 1]!.lifetimeEnd, rows[i]!.lifetimeStart, "history is contiguous");
    const alive = await alice.req("GET", "alice/race", "/manifests/latest");
    const aliveDigest = alive.headers.get("docker-content-digest");
    assert.ok(results.some((x) => x.digest === aliveDigest));
    assert.equal(
      aliveDigest,
      (await sys.db.manifest.findUniqueOrThrow({ where: { id: rows[9]!.manifestId } })).digest,
    );
  });

  test("an index pushed after its children; children cannot be deleted under it", async () => {
    const a = await alice.pushImage("alice/multi", "tmp-a");
    const b = await alice.pushImage("alice/multi", "tmp-b");
    const idx = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [
          {
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: a.digest,
            size: a.bytes.length,
            platform: { os: "linux", architecture: "amd64" },
          },
          {
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: b.digest,
            size: b.bytes.length,
            platform: { os: "linux", architecture: "arm64" },
          },
        ],
      }),
    );
    const put = await alice.putManifest("alice/multi", "v1", idx, "application/vnd.oci.image.index.v1+json");
    assert.equal(put.status, 201);
    const get = await alice.req("GET", "alice/multi", "/manifests/v1");
    assert.equal(get.headers.get("content-type"), "application/vnd.oci.image.index.v1+json");
    const del = await alice.req("DELETE", "alice/multi", `/manifests/${a.digest}`);
    assert.equal(del.status, 409);
    // A client that accepts no index type gets the linux/amd64 image.
    const old = await alice.req("GET", "alice/multi", "/manifests/v1", {
      headers: { accept: "application/vnd.oci.image.manifest.v1+json" },
    });
    assert.equal(old.headers.get("docker-content-digest"), a.digest);
  });

  test("referrers: OCI-Subject on PUT, listing and artifactType filter", async () => {
    const subject = await alice.pushImage("alice/signed", "v1");
    const empty = await alice.pushBlob("alice/signed", "{}");
    const sig = await alice.pushBlob("alice/signed", "signature-bytes");
    const mk = (artifactType: string, annotations: Record<string, string>) =>
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          artifactType,
          config: { mediaType: "application/vnd.oci.empty.v1+json", digest: empty, size: 2 },
          layers: [{ mediaType: "application/octet-stream", digest: sig, size: 15 }],
          subject: {
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: subject.digest,
            size: subject.bytes.length,
          },
          annotations,
        }),
      );
    const s1 = mk("application/vnd.dev.cosign.artifact.sig.v1+json", { kind: "sig" });
    const s2 = mk("application/spdx+json", { kind: "sbom" });
    const put = await alice.putManifest("alice/signed", sha(s1), s1);
    assert.equal(put.status, 201);
    assert.equal(put.headers.get("oci-subject"), subject.digest);
    await alice.putManifest("alice/signed", sha(s2), s2);
    const all = await alice.req("GET", "alice/signed", `/referrers/${subject.digest}`);
    assert.equal(all.headers.get("content-type"), "application/vnd.oci.image.index.v1+json");
    const body = (await all.json()) as {
      manifests: { digest: string; artifactType: string; annotations: Record<string, string> }[];
    };
    assert.deepEqual(body.manifests.map((m) => m.digest).sort(), [sha(s1), sha(s2)].sort());
    const filtered = await alice.req(
      "GET",
      "alice/signed",
      `/referrers/${subject.digest}?artifactType=application/spdx%2Bjson`,
    );
    assert.equal(filtered.headers.get("oci-filters-applied"), "artifactType");
    const f = (await filtered.json()) as typeof body;
    assert.deepEqual(
      f.manifests.map((m) => [m.digest, m.annotations.kind]),
      [[sha(s2), "sbom"]],
    );
    const none = await alice.req("GET", "alice/signed", `/referrers/${sha("nothing")}`);
    assert.deepEqual((await none.json()).manifests, []);
  });
});

describe("artifact policy", () => {
  let strict: TestSystem;
  before(async () => {
    strict = await startTestSystem({ FEATURE_GENERAL_OCI_SUPPORT: "false" });
  });
  after(async () => strict?.stop());

  test("FEATURE_GENERAL_OCI_SUPPORT=false refuses artifacts but accepts images", async () => {
    const admin = new RegistryClient(strict, ["admin", "admin-password"]);
    await admin.pushImage("admin/img", "v1");
    const cd = await admin.pushBlob("admin/art", "{}");
    const ld = await admin.pushBlob("admin/art", "chart");
    const m = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.cncf.helm.config.v1+json", digest: cd, size: 2 },
        layers: [{ mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", digest: ld, size: 5 }],
      }),
    );
    const res = await admin.putManifest("admin/art", "0.1.0", m);
    assert.equal(res.status, 400);
    assert.equal(await errCode(res), "MANIFEST_INVALID");
  });
});
