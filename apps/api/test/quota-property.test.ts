// The quota's books never drift: thousands of random operations (image pushes with shared and distinct layers,
// indexes, referrers, tag moves, deletes, restores, expirations, blob and manifest deletes, garbage collection
// with and without a time machine) across repositories of two namespaces, several at a time; after every step
// each repository's kept size equals a recomputation written here from the rows, to the byte.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestSystem, type TestSystem } from "./harness.js";
import { RegistryClient, sha } from "./registry-client.js";

const STEPS = Number(process.env.QUOTA_PROPERTY_STEPS ?? 500);
const PARALLEL = 4;
const SEED = Number(process.env.QUOTA_PROPERTY_SEED ?? Date.now() % 1_000_000);
const OCI = "application/vnd.oci.image.manifest.v1+json";
const INDEX = "application/vnd.oci.image.index.v1+json";

let sys: TestSystem;
let client: RegistryClient;
const REPOS = ["admin/a", "admin/b", "admin/c", "qorg/x", "qorg/y", "qorg/z"];
const TAGS = ["t0", "t1", "t2", "t3", "t4", "t5"];

/** mulberry32: a seeded generator, so a failing run can be replayed with QUOTA_PROPERTY_SEED. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const chance = (p: number) => random() < p;

/** Layers shared by many images (each repository gets them as it needs them), and fresh ones. */
const SHARED = Array.from({ length: 8 }, (_, i) => `shared-layer-${i}-${"s".repeat(100 + i * 37)}`);
let fresh = 0;
const freshLayer = () => `fresh-${SEED}-${++fresh}-${"f".repeat(Math.floor(random() * 400))}`;

before(async () => {
  sys = await startTestSystem({ FEATURE_QUOTA_MANAGEMENT: "true" });
  client = new RegistryClient(sys, ["admin", "admin-password"]);
  const admin = await sys.services.accounts.verifyPassword("admin", "admin-password");
  await sys.services.orgs.create(admin!, { name: "qorg" });
  console.log(`quota-property: seed ${SEED}, ${STEPS} steps of ${PARALLEL}`);
});
after(async () => sys?.stop());

/** An image tagged `tag`, or pushed by digest when `tag` is null. */
async function pushImage(repo: string, tag: string | null) {
  const bytes = await imageManifest(repo);
  const r = await client.putManifest(repo, tag ?? sha(bytes), bytes);
  if (r.status !== 201) assert.fail(`push ${repo}:${tag} ${r.status} ${await r.text()}`);
  return { digest: sha(bytes), bytes };
}

/** An image manifest whose blobs are pushed (the manifest is not). */
async function imageManifest(repo: string) {
  const layers = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
    chance(0.6) ? pick(SHARED) : freshLayer(),
  );
  const config = chance(0.5)
    ? `{"os":"linux","c":${Math.floor(random() * 4)}}`
    : `{"os":"linux","n":"${freshLayer()}"}`;
  const cd = await client.pushBlob(repo, config);
  const descs = [];
  for (const l of layers)
    descs.push({
      mediaType: "application/vnd.oci.image.layer.v1.tar",
      digest: await client.pushBlob(repo, l),
      size: Buffer.byteLength(l),
    });
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI,
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: cd,
        size: Buffer.byteLength(config),
      },
      layers: descs,
    }),
  );
  return bytes;
}

async function pushIndex(repo: string, tag: string) {
  const children = [await pushImage(repo, null), await pushImage(repo, null)];
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: children.map((c, i) => ({
        mediaType: OCI,
        digest: c.digest,
        size: c.bytes.length,
        platform: { os: "linux", architecture: i ? "arm64" : "amd64" },
      })),
    }),
  );
  await client.putManifest(repo, tag, bytes, INDEX);
}

/** A referrer (a signature-like artifact) of one of the repository's manifests, pushed by digest. */
async function pushReferrer(repo: string) {
  const subject = await sys.db.manifest.findFirst({
    where: { repository: { name: repo.split("/")[1]!, namespace: { name: repo.split("/")[0]! } } },
    orderBy: { id: "desc" },
  });
  if (subject) await pushReferrerOf(repo, subject);
}

/** A referrer pushed before its subject, then the subject with a tag (which holds the referrer too). */
async function pushEarlyReferrer(repo: string, tag: string) {
  const bytes = await imageManifest(repo);
  await pushReferrerOf(repo, { mediaType: OCI, digest: sha(bytes), size: bytes.length });
  const r = await client.putManifest(repo, tag, bytes);
  if (r.status !== 201) assert.fail(`push ${repo}:${tag} ${r.status} ${await r.text()}`);
}

async function pushReferrerOf(repo: string, subject: { mediaType: string; digest: string; size: number }) {
  const layer = freshLayer();
  const ld = await client.pushBlob(repo, layer);
  const empty = "{}";
  const ed = await client.pushBlob(repo, empty);
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI,
      artifactType: "application/vnd.example.sig",
      config: { mediaType: "application/vnd.oci.empty.v1+json", digest: ed, size: 2 },
      layers: [{ mediaType: "application/vnd.example.sig.v1", digest: ld, size: Buffer.byteLength(layer) }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    }),
  );
  await client.putManifest(repo, sha(bytes), bytes);
}

const admin = () => sys.services.accounts.verifyPassword("admin", "admin-password").then((p) => p!);
const repoRow = (full: string) => sys.services.repos.find(full);

/** One random operation; failures that the protocol or a service answers with a refusal are part of the game. */
async function operation(repo: string): Promise<string> {
  const p = await admin();
  const r = random();
  const ignore = (e: unknown) => {
    const code = (e as { code?: string }).code;
    if (code === "NOT_FOUND" || code === "CONFLICT" || code === "BAD_USER_INPUT") return;
    throw e;
  };
  if (r < 0.3) return (await pushImage(repo, pick(TAGS)), `push ${repo}`);
  if (r < 0.36) return (await pushIndex(repo, pick(TAGS)), `index ${repo}`);
  if (r < 0.38) return (await pushReferrer(repo), `referrer ${repo}`);
  if (r < 0.41) return (await pushEarlyReferrer(repo, pick(TAGS)), `early-referrer ${repo}`);
  const row = await repoRow(repo);
  if (!row) return `skip ${repo}`;
  if (r < 0.5) {
    const m = await sys.db.manifest.findFirst({
      where: { repositoryId: row.id },
      skip: Math.floor(random() * 5),
    });
    if (m) await sys.services.tagCommands.setTag(p, repo, pick(TAGS), m.digest).catch(ignore);
    return `move ${repo}`;
  }
  if (r < 0.6)
    return (await sys.services.tagCommands.deleteTags(p, repo, [pick(TAGS)]).catch(ignore), `delete ${repo}`);
  if (r < 0.66) {
    const ended = await sys.db.tag.findFirst({
      where: { repositoryId: row.id, lifetimeEnd: { not: null } },
      orderBy: { id: "desc" },
    });
    if (ended) await sys.services.tagCommands.restoreTag(p, repo, { entryId: ended.id }).catch(ignore);
    return `restore ${repo}`;
  }
  if (r < 0.71) {
    // An expiration that has passed (set directly: the service takes only future times).
    await sys.db.$executeRaw`UPDATE "Tag" SET "lifetimeEnd" = greatest("lifetimeStart", now()), expires = true
      WHERE "repositoryId" = ${row.id} AND name = ${pick(TAGS)} AND "lifetimeEnd" IS NULL`;
    return `expire ${repo}`;
  }
  if (r < 0.8) {
    // GC with a time machine of 0 or of 14 days: rows past the window go, and what only they held.
    await sys.db.namespace.update({
      where: { name: repo.split("/")[0]! },
      data: { timeMachineSeconds: chance(0.5) ? 0 : 1209600 },
    });
    await sys.services.gc.collectRepository(row.id);
    return `gc ${repo}`;
  }
  if (r < 0.85) {
    const link = await sys.db.repositoryBlob.findFirst({
      where: { repositoryId: row.id },
      include: { blob: true },
      skip: Math.floor(random() * 4),
    });
    if (link) await client.req("DELETE", repo, `/blobs/${link.blob.digest}`);
    return `unlink ${repo}`;
  }
  if (r < 0.9) {
    const m = await sys.db.manifest.findFirst({ where: { repositoryId: row.id }, orderBy: { id: "asc" } });
    if (m) await client.req("DELETE", repo, `/manifests/${m.digest}`);
    return `manifest delete ${repo}`;
  }
  if (r < 0.92) {
    await sys.services.repos.delete(p, repo.split("/")[0]!, repo.split("/")[1]!, repo).catch(ignore);
    return `repo delete ${repo}`;
  }
  return (await pushImage(repo, pick(TAGS)), `push ${repo}`);
}

/** Each repository's size recomputed from the rows: tag-held manifests, their children and referrers. */
async function recompute(): Promise<Map<bigint, bigint>> {
  const [repos, tags, manifests, children, links, mblobs, blobs] = await Promise.all([
    sys.db.repository.findMany({ select: { id: true } }),
    sys.db.tag.findMany({ select: { manifestId: true } }),
    sys.db.manifest.findMany({ select: { id: true, repositoryId: true, digest: true, subjectDigest: true } }),
    sys.db.manifestChild.findMany(),
    sys.db.repositoryBlob.findMany({ select: { repositoryId: true, blobId: true } }),
    sys.db.manifestBlob.findMany(),
    sys.db.blob.findMany({ select: { id: true, size: true } }),
  ]);
  const byId = new Map(manifests.map((m) => [m.id, m]));
  const childrenOf = new Map<bigint, bigint[]>();
  for (const c of children) childrenOf.set(c.parentId, [...(childrenOf.get(c.parentId) ?? []), c.childId]);
  const referrersOf = new Map<string, bigint[]>();
  for (const m of manifests)
    if (m.subjectDigest) {
      const key = `${m.repositoryId}:${m.subjectDigest}`;
      referrersOf.set(key, [...(referrersOf.get(key) ?? []), m.id]);
    }
  const held = new Set<bigint>();
  const queue = tags.map((t) => t.manifestId);
  while (queue.length) {
    const id = queue.pop()!;
    if (held.has(id)) continue;
    held.add(id);
    const m = byId.get(id)!;
    queue.push(...(childrenOf.get(id) ?? []), ...(referrersOf.get(`${m.repositoryId}:${m.digest}`) ?? []));
  }
  const linked = new Set(links.map((l) => `${l.repositoryId}:${l.blobId}`));
  const size = new Map(blobs.map((b) => [b.id, b.size]));
  const counted = new Map<bigint, Set<bigint>>();
  for (const mb of mblobs) {
    if (!held.has(mb.manifestId)) continue;
    const repo = byId.get(mb.manifestId)!.repositoryId;
    if (!linked.has(`${repo}:${mb.blobId}`)) continue;
    const set = counted.get(repo) ?? new Set<bigint>();
    set.add(mb.blobId);
    counted.set(repo, set);
  }
  return new Map(
    repos.map((r) => [r.id, [...(counted.get(r.id) ?? [])].reduce((n, b) => n + size.get(b)!, 0n)]),
  );
}

test(
  `${STEPS} random steps of ${PARALLEL} operations: kept sizes equal the recomputation after each`,
  { timeout: 20 * 60_000 },
  async () => {
    const ops = new Map<string, number>();
    for (let step = 0; step < STEPS; step++) {
      // Operations of one step touch different repositories (a repository delete would pull another's rug).
      const repos = [...REPOS].sort(() => random() - 0.5).slice(0, PARALLEL);
      // The maintenance job's fold of the appended changes runs beside the operations on some steps.
      const fold = random() < 0.3 ? sys.services.quota.compact().then(() => "fold") : null;
      const done = await Promise.all([...repos.map((repo) => operation(repo)), ...(fold ? [fold] : [])]);
      for (const d of done) ops.set(d.split(" ")[0]!, (ops.get(d.split(" ")[0]!) ?? 0) + 1);
      const expected = await recompute();
      const keptBy = await sys.services.quota.repositorySizes([...expected.keys()]);
      for (const [repo, bytes] of expected)
        assert.equal(
          keptBy.get(repo) ?? 0n,
          bytes,
          `seed ${SEED}, step ${step} (${done.join("; ")}): repository ${repo}`,
        );
    }
    // The database's own recomputation agrees too, and the verifier finds nothing.
    assert.deepEqual((await sys.services.quota.verify()).drift, []);
    console.log(`quota-property: ${JSON.stringify(Object.fromEntries(ops))}`);
    for (const kind of [
      "push",
      "index",
      "referrer",
      "early-referrer",
      "move",
      "delete",
      "restore",
      "expire",
      "gc",
      "unlink",
      "fold",
    ])
      assert.ok((ops.get(kind) ?? 0) > 0, `${kind} ran`);
  },
);
