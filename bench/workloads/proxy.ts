// The proxy cache (issue 20): pull-through of an image on its first pull against pulling it from the upstream
// directly, and cached pulls against the normal pull path.
//
// A fresh server of ours with FEATURE_PROXY_CACHE, an organization caching the distribution under test. Each
// round puts a new image (config and four layers of random bytes, 256 MiB in all; 32 MiB with --quick) into
// distribution, then, in alternating order:
//   - direct: the image pulled from distribution (manifest, then config and layers at once, as podman does);
//   - first pull through the proxy cache: the same pull from the proxy organization (each layer streams to
//     the client while the cache stores it). Target: at least 0.9× direct.
// Once the cache holds the image:
//   - cached pull (a HEAD of the tag upstream, the blobs from the cache) against a pull of the same image
//     pushed into an ordinary repository of the same server (the right-hand column of these rows);
//   - manifest GET by tag, the cached one (which asks the upstream for the tag's digest) against the ordinary.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { BenchContext } from "../lib/context.js";
import type { HttpClient } from "../lib/http.js";
import {
  OCI_MANIFEST,
  getManifest,
  pullBlob,
  pushBlob,
  putManifest,
  randomFileBlob,
  sha256,
  type Blob,
} from "../lib/oci.js";
import { median, msSince } from "../lib/stats.js";
import { startOurs, type Ours } from "../lib/systems.js";

const F = "proxy cache";
const MiB = 1024 * 1024;
const ORG = "benchproxy";
const PLAIN = "benchplain";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Image {
  blobs: Blob[];
  manifest: Buffer;
  bytes: number;
}

/** Config and four random layers in files under `dir`, and their manifest. */
function newImage(dir: string, total: number): Image {
  const layers = Array.from({ length: 4 }, (_, i) =>
    randomFileBlob(path.join(dir, `layer-${crypto.randomUUID()}-${i}`), total / 4),
  );
  const configBody = Buffer.from(
    JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }),
  );
  const config = { digest: sha256(configBody), size: configBody.length, body: configBody };
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        digest: config.digest,
        size: config.size,
      },
      layers: layers.map((l) => ({
        mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
        digest: l.digest,
        size: l.size,
      })),
    }),
  );
  return { blobs: [config, ...layers], manifest, bytes: total + config.size };
}

async function push(c: HttpClient, repo: string, img: Image): Promise<void> {
  for (const b of img.blobs) await pushBlob(c, repo, b);
  await putManifest(c, repo, "v1", img.manifest);
}

/** A pull as podman makes it: the manifest by tag, then every blob at once; returns MiB/s. */
async function pull(c: HttpClient, repo: string, img: Image): Promise<number> {
  const t = process.hrtime.bigint();
  const m = await getManifest(c, repo, "v1");
  if (sha256(m) !== sha256(img.manifest)) throw new Error(`${repo}: another manifest came back`);
  await Promise.all(img.blobs.map((b) => pullBlob(c, repo, b)));
  return img.bytes / MiB / (msSince(t) / 1000);
}

/** Waits until the cache stored the image (its tag is listed). */
async function cached(proxy: Ours, repo: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const r = await proxy.rest(`/repository/${repo}/tag/?specificTag=v1`).catch(() => ({ tags: [] }));
    if ((r as { tags: unknown[] }).tags.length) return;
    await sleep(50);
  }
  throw new Error(`${repo}: the cache did not store the image`);
}

async function manifestGetMs(c: HttpClient, repo: string, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await getManifest(c, repo, "v1");
    times.push(msSince(t));
  }
  return median(times);
}

export async function proxyCache(ctx: BenchContext): Promise<void> {
  const total = ctx.profile.quick ? 32 * MiB : 256 * MiB;
  const rounds = ctx.profile.quick ? 2 : 3;
  const label = `${total / MiB} MiB`;
  const rate = (name: string, ratio?: number) => ({ name, unit: "MiB/s", better: "higher" as const, ratio });
  const dir = fs.mkdtempSync(path.join(ctx.tmpDir, "proxy-"));
  const proxy = await startOurs({ env: { FEATURE_PROXY_CACHE: "true" } });
  try {
    const distHost = new URL(ctx.dist.base).host;
    for (const name of [ORG, PLAIN])
      await proxy.graphql(`mutation($n: String!) { createOrganization(name: $n) { name } }`, { n: name });
    await proxy.graphql(
      `mutation($o: String!, $u: String!) { createProxyCache(organization: $o, input: { upstreamRegistry: $u, insecure: true }) { insecure } }`,
      { o: ORG, u: distHost },
    );
    for (let i = 0; i < rounds; i++) {
      const repo = `bench/pt${i}`;
      const img = newImage(dir, total);
      const upstream = await ctx.dist.client([repo]);
      await push(upstream, repo, img);
      const plain = `${PLAIN}/${repo}`;
      const through = `${ORG}/${repo}`;
      const c = await proxy.client([through, plain]);
      await push(c, plain, img);
      const order = i % 2 === 0 ? ["through", "direct"] : ["direct", "through"];
      for (const which of order) {
        ctx.progress(`proxy cache, ${label} first pull, round ${i + 1}: ${which}`);
        if (which === "direct")
          ctx.record(
            F,
            rate(`first pull ${label} image`, 0.9),
            "distribution",
            await pull(upstream, repo, img),
          );
        else ctx.record(F, rate(`first pull ${label} image`, 0.9), "ours", await pull(c, through, img));
      }
      await cached(proxy, through);
      const cachedRow = rate(`cached pull ${label} image (right: an ordinary repository of ours)`);
      for (const which of order) {
        ctx.progress(`proxy cache, ${label} cached pull, round ${i + 1}: ${which}`);
        if (which === "direct") ctx.record(F, cachedRow, "distribution", await pull(c, plain, img));
        else ctx.record(F, cachedRow, "ours", await pull(c, through, img));
      }
      const getRow = {
        name: "manifest GET by tag, cached (right: ordinary)",
        unit: "ms",
        better: "lower" as const,
      };
      const n = ctx.profile.quick ? 20 : 100;
      for (const which of order) {
        if (which === "direct") ctx.record(F, getRow, "distribution", await manifestGetMs(c, plain, n));
        else ctx.record(F, getRow, "ours", await manifestGetMs(c, through, n));
      }
      // The layers' files go with their round.
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
    }
    ctx.note(
      "Proxy cache: distribution is the upstream; a first pull through the cache is compared with pulling from distribution directly (target ≥ 0.9×); cached pulls and manifest GETs by tag (which ask the upstream for the tag's digest) are compared with an ordinary repository of the same server.",
    );
  } finally {
    await proxy.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
