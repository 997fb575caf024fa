// Ours only: the console's list queries over GraphQL, and the same lists through the REST API, paging
// through 1,000 repositories and 1,000 tags (100 per page, both APIs' maximum), with the superuser's session.
import type { BenchContext } from "../lib/context.js";
import { manifestFor, pushImageParts, putManifest } from "../lib/oci.js";
import { msSince, median, p95, runPool } from "../lib/stats.js";

const F = "graphql (ours only)";
const REST = "rest (ours only)";
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

/** One page: its item count and how to ask for the next (null at the end). */
type Fetch = (next: string | null, page: number) => Promise<{ count: number; next: string | null }>;

/** Pages through a list until `items` have been read; returns each page's latency and the total. */
async function walk(fetchPage: Fetch, items: number) {
  const pages: number[] = [];
  let next: string | null = null;
  let seen = 0;
  const start = process.hrtime.bigint();
  for (let page = 1; seen < items; page++) {
    const t = process.hrtime.bigint();
    const r = await fetchPage(next, page);
    pages.push(msSince(t));
    seen += r.count;
    if (r.next === null) break;
    next = r.next;
  }
  if (seen < items) throw new Error(`list ended after ${seen} items, expected ${items}`);
  return { pages, totalMs: msSince(start) };
}

const graphqlPage =
  (ctx: BenchContext, query: string, pick: (d: any) => Conn): Fetch =>
  async (after) => {
    const conn = pick(await ctx.ours.graphql(query, { after }));
    return { count: conn.edges.length, next: conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null };
  };

const restRepositories =
  (ctx: BenchContext): Fetch =>
  async (next) => {
    const page = next ? `&next_page=${encodeURIComponent(next)}` : "";
    const r = await ctx.ours.rest(`/repository?namespace=bench&last_modified=true${page}`);
    return { count: r.repositories.length, next: r.next_page ?? null };
  };

const restTags =
  (ctx: BenchContext): Fetch =>
  async (_next, page) => {
    const r = await ctx.ours.rest(`/repository/${TAGS_REPO}/tag/?onlyActiveTags=true&limit=100&page=${page}`);
    return { count: r.tags.length, next: r.has_additional ? String(page + 1) : null };
  };

export async function graphqlLists(ctx: BenchContext, repositoriesAvailable: number): Promise<void> {
  const n = ctx.profile.graphqlItems;
  const c = await ctx.ours.client([TAGS_REPO]);
  ctx.progress(`GraphQL: creating ${n} tags`);
  const bytes = manifestFor(await pushImageParts(c, TAGS_REPO), "tags1k");
  const names = Array.from({ length: n }, (_, i) => `v${String(i).padStart(4, "0")}`);
  await runPool(names, 16, (tag) => putManifest(c, TAGS_REPO, tag, bytes));

  const repos = Math.min(n, repositoriesAvailable);
  const lists = [
    {
      family: F,
      what: "repositories",
      fetch: graphqlPage(ctx, REPOSITORIES, (d) => d.repositories),
      items: repos,
    },
    { family: F, what: "tags", fetch: graphqlPage(ctx, TAGS, (d) => d.repository.tags), items: n },
    { family: REST, what: "repositories", fetch: restRepositories(ctx), items: repos },
    { family: REST, what: "tags", fetch: restTags(ctx), items: n },
  ];
  for (const l of lists) {
    ctx.progress(`${l.family} ${l.what}: ${ROUNDS} walks of ${l.items}`);
    await walk(l.fetch, l.items); // warm-up (query plans, caches)
    const pages: number[] = [];
    const totals: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const r = await walk(l.fetch, l.items);
      pages.push(...r.pages);
      totals.push(r.totalMs);
    }
    const limit = { value: 50, text: "p95 < 50 ms" };
    const name = `${l.what}, page of 100 (of ${l.items.toLocaleString("en-US")})`;
    ctx.record(l.family, { name: `${name} p50`, unit: "ms", better: "lower" }, "ours", median(pages));
    ctx.record(l.family, { name: `${name} p95`, unit: "ms", better: "lower", limit }, "ours", p95(pages));
    ctx.record(
      l.family,
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
