// Ours only: the console's list queries over GraphQL, paging through 1,000 repositories and 1,000 tags
// (100 per page, the API's maximum), with the superuser's session cookie.
import type { BenchContext } from "../lib/context.js";
import { manifestFor, pushImageParts, putManifest } from "../lib/oci.js";
import { msSince, median, p95, runPool } from "../lib/stats.js";

const F = "graphql (ours only)";
const TAGS_REPO = "bench/tags1k";
const ROUNDS = 10;

const REPOSITORIES = `query($after: String) {
  repositories(namespace: "bench", first: 100, after: $after) {
    edges { node { namespace name visibility kind lastModified isStarred starCount } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const TAGS = `query($after: String) {
  repository(namespace: "bench", name: "tags1k") {
    tags(first: 100, after: $after) {
      edges { node { name manifestDigest mediaType size lastModified expiration } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

type Conn = { edges: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

/** Pages through a list until `items` have been read; returns each page's latency and the total. */
async function walk(ctx: BenchContext, query: string, pick: (d: any) => Conn, items: number) {
  const pages: number[] = [];
  let after: string | null = null;
  let seen = 0;
  const start = process.hrtime.bigint();
  while (seen < items) {
    const t = process.hrtime.bigint();
    const conn: Conn = pick(await ctx.ours.graphql(query, { after }));
    pages.push(msSince(t));
    seen += conn.edges.length;
    if (!conn.pageInfo.hasNextPage) break;
    after = conn.pageInfo.endCursor;
  }
  if (seen < items) throw new Error(`GraphQL list ended after ${seen} items, expected ${items}`);
  return { pages, totalMs: msSince(start) };
}

export async function graphqlLists(ctx: BenchContext, repositoriesAvailable: number): Promise<void> {
  const n = ctx.profile.graphqlItems;
  const c = await ctx.ours.client([TAGS_REPO]);
  ctx.progress(`GraphQL: creating ${n} tags`);
  const bytes = manifestFor(await pushImageParts(c, TAGS_REPO), "tags1k");
  const names = Array.from({ length: n }, (_, i) => `v${String(i).padStart(4, "0")}`);
  await runPool(names, 16, (tag) => putManifest(c, TAGS_REPO, tag, bytes));

  const lists = [
    {
      what: "repositories",
      query: REPOSITORIES,
      pick: (d: any) => d.repositories,
      items: Math.min(n, repositoriesAvailable),
    },
    { what: "tags", query: TAGS, pick: (d: any) => d.repository.tags, items: n },
  ];
  for (const l of lists) {
    ctx.progress(`GraphQL ${l.what}: ${ROUNDS} walks of ${l.items}`);
    await walk(ctx, l.query, l.pick, l.items); // warm-up (query plans, caches)
    const pages: number[] = [];
    const totals: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const r = await walk(ctx, l.query, l.pick, l.items);
      pages.push(...r.pages);
      totals.push(r.totalMs);
    }
    const limit = { value: 50, text: "p95 < 50 ms" };
    const name = `${l.what}, page of 100 (of ${l.items.toLocaleString("en-US")})`;
    ctx.record(F, { name: `${name} p50`, unit: "ms", better: "lower" }, "ours", median(pages));
    ctx.record(F, { name: `${name} p95`, unit: "ms", better: "lower", limit }, "ours", p95(pages));
    ctx.record(
      F,
      {
        name: `${l.what}, all ${l.items.toLocaleString("en-US")} (${Math.ceil(l.items / 100)} pages)`,
        unit: "ms",
        better: "lower",
      },
      "ours",
      median(totals),
    );
  }
}
