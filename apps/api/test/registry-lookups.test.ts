// The /v2 lookups run as prepared statements on the pg pool (registry/lookups.ts) for speed; they must answer
// exactly what the Prisma queries of the services answer, so a column added to the schema cannot silently go
// missing from them.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { RegistryLookups } from "../src/content/registry-lookups.js";
import { aliveAt } from "../src/tags/history.js";
import { startTestSystem, type TestSystem } from "./harness.js";
import { RegistryClient } from "./registry-client.js";

let sys: TestSystem;
let client: RegistryClient;
let lookups: RegistryLookups;
let pushed: { digest: string; bytes: Buffer };

before(async () => {
  sys = await startTestSystem({}, { workers: false });
  client = new RegistryClient(sys, ["admin", "admin-password"]);
  lookups = new RegistryLookups(sys.pool);
  pushed = await client.pushImage("admin/fast", "v1");
});
after(async () => sys?.stop());

const admin = async () =>
  sys.services.accounts.toPrincipal(await sys.db.user.findUniqueOrThrow({ where: { username: "admin" } }));

describe("registry lookups", () => {
  test("repository: equals RepositoryService.find", async () => {
    const viaPrisma = await sys.services.repos.find("admin/fast");
    assert.ok(viaPrisma);
    assert.deepEqual(await lookups.repository("admin/fast"), viaPrisma);
    assert.equal(await lookups.repository("admin/none"), null);
    assert.equal(await lookups.repository("nobody/fast"), null);
    assert.equal(await lookups.repository("no-slash"), null);
  });

  test("manifest: by alive tag and by digest, as ManifestService.get", async () => {
    const repo = (await sys.services.repos.find("admin/fast"))!;
    const viaPrisma = await sys.services.manifests.get(repo, "v1");
    assert.ok(viaPrisma);
    for (const ref of ["v1", pushed.digest]) {
      const m = await lookups.manifest("admin/fast", ref);
      assert.ok(m, ref);
      assert.deepEqual(m, {
        repositoryId: repo.id,
        namespaceId: repo.namespaceId,
        digest: viaPrisma.digest,
        mediaType: viaPrisma.mediaType,
        bytes: Buffer.from(viaPrisma.bytes),
        subjectDigest: viaPrisma.subjectDigest,
      });
      assert.deepEqual(m.bytes, pushed.bytes);
    }
    assert.equal(await lookups.manifest("admin/fast", "v2"), null);
    assert.equal(await lookups.manifest("admin/other", "v1"), null);
    await sys.services.tagCommands.deleteTags(await admin(), "admin/fast", ["v1"]);
    assert.equal(
      await sys.db.tag.findFirst({
        where: { repositoryId: repo.id, name: "v1", ...aliveAt(new Date()) },
      }),
      null,
    );
    assert.equal(await lookups.manifest("admin/fast", "v1"), null, "an ended tag is gone");
    assert.ok(await lookups.manifest("admin/fast", pushed.digest), "the manifest stays");
  });

  test("linkedBlob: only blobs linked to the repository, as BlobService.statInRepo", async () => {
    const repo = (await sys.services.repos.find("admin/fast"))!;
    const links = await sys.db.repositoryBlob.findMany({
      where: { repositoryId: repo.id },
      include: { blob: true },
    });
    assert.equal(links.length, 2);
    for (const link of links) {
      const viaPrisma = await sys.services.blobs.statInRepo(repo.id, link.blob.digest);
      assert.deepEqual(await lookups.linkedBlob("admin/fast", link.blob.digest), {
        digest: viaPrisma!.digest,
        size: viaPrisma!.size,
      });
      assert.equal(await lookups.linkedBlob("admin/other", link.blob.digest), null);
    }
    await client.pushImage("admin/elsewhere", "v1", {
      config: JSON.stringify({
        architecture: "arm64",
        os: "linux",
        rootfs: { type: "layers", diff_ids: [] },
      }),
    });
    for (const link of links)
      assert.equal(
        await lookups.linkedBlob("admin/elsewhere", link.blob.digest),
        null,
        "another repository cannot read a blob it does not hold",
      );
  });

  test("tagNames: alive tags in byte order after a name, as TagService.listNames", async () => {
    for (const tag of ["b", "B", "a-1", "a_1", "z"]) await client.pushImage("admin/names", tag);
    const repo = (await sys.services.repos.find("admin/names"))!;
    await sys.services.tagCommands.deleteTags(await admin(), "admin/names", ["z"]);
    for (const [n, last] of [
      [undefined, undefined],
      [2, undefined],
      [2, "B"],
      [100, "a-1"],
      [1, "z"],
    ] as const) {
      const want = await sys.services.tags.listNames(repo.id, n, last);
      assert.deepEqual(await lookups.tagNames("admin/names", n, last), want, `n=${n} last=${last}`);
    }
    assert.deepEqual(await lookups.tagNames("admin/names", undefined, undefined), ["B", "a-1", "a_1", "b"]);
    await sys.services.repos.create(await admin(), { namespace: "admin", name: "no-tags" });
    assert.deepEqual(await lookups.tagNames("admin/no-tags", undefined, undefined), []);
    assert.equal(await lookups.tagNames("admin/missing", undefined, undefined), null, "no such repository");
    assert.equal(await lookups.tagNames("nonamespace", undefined, undefined), null);
  });
});

describe("principal lookups", () => {
  test("user and robot: the columns a registry token's principal needs, as Prisma reads them", async () => {
    const admin = await sys.db.user.findUniqueOrThrow({ where: { username: "admin" } });
    assert.deepEqual(await lookups.user(admin.id), {
      id: admin.id,
      username: admin.username,
      namespaceId: admin.namespaceId,
      superuser: admin.superuser,
      enabled: admin.enabled,
    });
    assert.equal(await lookups.user(admin.id + 1000n), null);
    const created = await sys.services.robots.create("admin", "lookup");
    const robot = await sys.db.robot.findUniqueOrThrow({
      where: { id: created.robot.id },
      include: { namespace: true },
    });
    assert.deepEqual(await lookups.robot(robot.id), {
      id: robot.id,
      name: robot.name,
      namespaceId: robot.namespaceId,
      namespace: "admin",
    });
    assert.equal(await lookups.robot(robot.id + 1000n), null);
  });
});
