// tags/list of a repository with many tags (created by manifest PUTs of one manifest under many tags, the
// same way on both registries), and _catalog over many repositories.
import type { BenchContext } from "../lib/context.js";
import { expectStatus } from "../lib/http.js";
import { manifestFor, pushImageParts, putManifest } from "../lib/oci.js";
import { median, msSince, runPool } from "../lib/stats.js";

const F = "listing";
export const TAGS_REPO = "bench/tags";
export const catalogRepo = (i: number) => `bench/cat-${String(i).padStart(5, "0")}`;
const REQUESTS_PER_ROUND = 10;

export async function tagList(ctx: BenchContext): Promise<void> {
  const n = ctx.profile.manyTags;
  const fmtN = n.toLocaleString("en-US");
  for (const t of ctx.targets) {
    ctx.progress(`creating ${fmtN} tags: ${t.name}`);
    const c = await t.client([TAGS_REPO]);
    const bytes = manifestFor(await pushImageParts(c, TAGS_REPO), "tags");
    const names = Array.from({ length: n }, (_, i) => `t${String(i).padStart(5, "0")}`);
    const r = await runPool(names, 16, (tag) => putManifest(c, TAGS_REPO, tag, bytes));
    ctx.record(
      F,
      { name: `tag ${fmtN}× by manifest PUT (setup), c=16`, unit: "tags/s", better: "higher" },
      t.name,
      n / (r.wallMs / 1000),
    );
  }
  await ctx.alternate(ctx.profile.rounds, async (t, round) => {
    ctx.progress(`tags/list of ${fmtN}, round ${round + 1}: ${t.name}`);
    const c = await t.client([TAGS_REPO]);
    const lat: number[] = [];
    for (let i = 0; i < REQUESTS_PER_ROUND; i++) {
      const start = process.hrtime.bigint();
      const r = await c.request("GET", `/v2/${TAGS_REPO}/tags/list`);
      lat.push(msSince(start));
      expectStatus(r, 200, "tags/list");
      const tags = (JSON.parse(r.body.toString()) as { tags: string[] }).tags;
      if (tags.length !== n)
        throw new Error(`${t.name}: tags/list returned ${tags.length} tags, expected ${n}`);
    }
    ctx.record(
      F,
      { name: `tags/list of ${fmtN} tags, p50`, unit: "ms", better: "lower" },
      t.name,
      median(lat),
    );
  });
}

/**
 * A small repository listed right after its pushes: a new repository per round gets `smallRepoTags` tags
 * (distinct manifests, PUT at concurrency 8), then its tags/list is timed — the first request on its own,
 * then the median of the next ones.
 */
export async function smallTagList(ctx: BenchContext): Promise<void> {
  const n = ctx.profile.smallRepoTags;
  // The first request is one figure per round, and single requests of 1–3 ms move with whatever else the
  // machine does: three times the usual rounds.
  await ctx.alternate(3 * ctx.profile.rounds, async (t, round) => {
    const repo = `bench/small-tags-${round}`;
    ctx.progress(`tags/list of ${n} tags right after the pushes, round ${round + 1}: ${t.name}`);
    const c = await t.client([repo]);
    const parts = await pushImageParts(c, repo);
    const tags = Array.from({ length: n }, (_, i) => `v${String(i).padStart(4, "0")}`);
    await runPool(tags, 8, (tag) => putManifest(c, repo, tag, manifestFor(parts, `${round}-${tag}`)));
    const lat: number[] = [];
    for (let i = 0; i <= REQUESTS_PER_ROUND; i++) {
      const start = process.hrtime.bigint();
      const r = await c.request("GET", `/v2/${repo}/tags/list`);
      lat.push(msSince(start));
      expectStatus(r, 200, "tags/list");
      const got = (JSON.parse(r.body.toString()) as { tags: string[] }).tags.length;
      if (got !== n) throw new Error(`${t.name}: tags/list returned ${got} tags, expected ${n}`);
    }
    const row = (what: string) => ({
      name: `tags/list of ${n} tags, ${what}`,
      unit: "ms",
      better: "lower" as const,
    });
    ctx.record(F, row("first request after the pushes"), t.name, lat[0]!);
    ctx.record(F, row(`p50 of the next ${REQUESTS_PER_ROUND}`), t.name, median(lat.slice(1)));
  });
}

export async function catalog(ctx: BenchContext): Promise<void> {
  const n = ctx.profile.catalogRepos;
  const page = Math.min(n, 1000);
  for (const t of ctx.targets) {
    ctx.progress(`creating ${n} repositories: ${t.name}`);
    const repos = Array.from({ length: n }, (_, i) => catalogRepo(i));
    // Ours: one token per 20 repositories (the token endpoint's limit on scopes per request).
    const chunks = Array.from({ length: Math.ceil(n / 20) }, (_, i) => repos.slice(i * 20, i * 20 + 20));
    await runPool(chunks, 4, async (chunk) => {
      const c = await t.client(chunk);
      for (const repo of chunk)
        await putManifest(c, repo, "v1", manifestFor(await pushImageParts(c, repo), repo));
    });
  }
  await ctx.alternate(ctx.profile.rounds, async (t, round) => {
    ctx.progress(`_catalog?n=${page}, round ${round + 1}: ${t.name}`);
    const c = await t.client([], ["registry:catalog:*"]);
    const lat: number[] = [];
    for (let i = 0; i < REQUESTS_PER_ROUND; i++) {
      const start = process.hrtime.bigint();
      const r = await c.request("GET", `/v2/_catalog?n=${page}`);
      lat.push(msSince(start));
      expectStatus(r, 200, "_catalog");
      const got = (JSON.parse(r.body.toString()) as { repositories: string[] }).repositories.length;
      if (got !== page) throw new Error(`${t.name}: _catalog returned ${got} names, expected ${page}`);
    }
    ctx.record(
      F,
      { name: `_catalog?n=${page} (${n.toLocaleString("en-US")}+ repos), p50`, unit: "ms", better: "lower" },
      t.name,
      median(lat),
    );
  });
}
