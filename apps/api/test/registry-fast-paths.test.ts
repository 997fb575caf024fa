// The one-round-trip lookups on the /v2 hot paths (raw SQL, for speed) answer exactly what the plain Prisma
// queries they replace answer, so a column added to the schema cannot silently go missing from them.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { aliveAt } from "../src/services/tags.js";
import { startTestSystem, type TestSystem } from "./harness.js";
import { RegistryClient } from "./registry-client.js";

let sys: TestSystem;
let client: RegistryClient;
let pushed: { digest: string; bytes: Buffer };

before(async () => {
  sys = await startTestSystem({}, { workers: false });
  client = new RegistryClient(sys, ["admin", "admin-password"]);
  pushed = await client.pushImage("admin/fast", "v1");
});
after(async () => sys?.stop());

describe("hot-path lookups", () => {
  test("RepositoryService.find equals Prisma's findFirst with the namespace included", async () => {
    const viaPrisma = await sys.services.db.repository.findFirst({
      where: { name: "fast", namespace: { name: "admin" } },
      include: { namespace: { select: { id: true, name: true, kind: true } } },
    });
    assert.ok(viaPrisma);
    assert.deepEqual(await sys.services.repos.find("admin/fast"), viaPrisma);
    assert.equal(await sys.services.repos.find("admin/none"), null);
    assert.equal(await sys.services.repos.find("nobody/fast"), null);
  });

  test("TagService.lookupForPull finds by tag (alive only) and by digest", async () => {
    const repo = (await sys.services.repos.find("admin/fast"))!;
    const tag = await sys.services.db.tag.findFirst({
      where: { repositoryId: repo.id, name: "v1", ...aliveAt(new Date()) },
      include: { manifest: true },
    });
    for (const ref of ["v1", pushed.digest]) {
      const m = await sys.services.tags.lookupForPull("admin/fast", ref);
      assert.ok(m, ref);
      assert.equal(m.repositoryId, repo.id);
      assert.equal(m.namespaceId, repo.namespaceId);
      assert.equal(m.digest, tag!.manifest.digest);
      assert.equal(m.mediaType, tag!.manifest.mediaType);
      assert.equal(m.subjectDigest, tag!.manifest.subjectDigest);
      assert.deepEqual(Buffer.from(m.bytes), pushed.bytes);
    }
    assert.equal(await sys.services.tags.lookupForPull("admin/fast", "v2"), null);
    assert.equal(await sys.services.tags.lookupForPull("admin/other", "v1"), null);
    await sys.services.tags.remove(repo.id, "v1");
    assert.equal(await sys.services.tags.lookupForPull("admin/fast", "v1"), null, "an ended tag is gone");
    assert.ok(await sys.services.tags.lookupForPull("admin/fast", pushed.digest), "the manifest stays");
  });

  test("BlobService.statByName sees only blobs linked to the repository", async () => {
    const repo = (await sys.services.repos.find("admin/fast"))!;
    const link = await sys.services.db.repositoryBlob.findFirst({
      where: { repositoryId: repo.id },
      include: { blob: true },
    });
    const stat = await sys.services.blobs.statByName("admin/fast", link!.blob.digest);
    assert.deepEqual(stat, { digest: link!.blob.digest, size: link!.blob.size });
    assert.equal(await sys.services.blobs.statByName("admin/other", link!.blob.digest), null);
    await client.pushImage("admin/elsewhere", "v1", {
      config: JSON.stringify({
        architecture: "arm64",
        os: "linux",
        rootfs: { type: "layers", diff_ids: [] },
      }),
    });
    assert.equal(
      await sys.services.blobs.statByName("admin/elsewhere", link!.blob.digest),
      null,
      "another repository cannot read a blob it does not hold",
    );
  });
});
