// What the proxy cache's tests share: a real upstream (CNCF distribution) behind a gate, our system with
// FEATURE_PROXY_CACHE and short upstream timings, proxy organizations, content put upstream with skopeo,
// and a client that pulls through the cache as registry clients do (token, manifest, then its blobs).
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import { MediaType, parseManifest } from "@hm/oci";
import { startTestSystem, type TestSystem } from "../harness.js";
import { RegistryClient } from "../registry-client.js";
import { Content, skopeoCopy, type Built } from "../remote/content.js";
import {
  DOCKER_REGISTRY,
  requireBinaries,
  startDistribution,
  type Distribution,
} from "../remote/upstreams.js";
import { startGate, type Gate } from "./gate.js";

export const MiB = 1024 * 1024;
export const sha256 = (b: Buffer) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;

export interface World {
  sys: TestSystem;
  dist: Distribution;
  gate: Gate;
  /** The cache's client as the superuser who owns the proxy organizations. */
  client: RegistryClient;
  stop(): Promise<void>;
}

/** Shortens what would make tests wait: upstream retries, the completion's quiet period. */
export function tune(sys: TestSystem, opts: { idleMs?: number } = {}): void {
  const t = sys.services.proxyCacheRuntime.tuning;
  t.upstream.retries = 0;
  t.upstream.retryDelayMs = 10;
  t.completion.idleMs = opts.idleMs ?? 300;
}

export async function startWorld(env: Record<string, string> = {}): Promise<World> {
  requireBinaries(DOCKER_REGISTRY, "skopeo");
  const dist = await startDistribution();
  const gate = await startGate(dist.host);
  const sys = await startTestSystem({ FEATURE_PROXY_CACHE: "true", ...env });
  tune(sys);
  return {
    sys,
    dist,
    gate,
    client: new RegistryClient(sys, ["admin", "admin-password"]),
    stop: async () => {
      await sys.services.proxyCacheRuntime.idle();
      await sys.stop();
      await gate.close();
      await dist.stop();
    },
  };
}

export const admin = (sys: TestSystem) => sys.services.accounts.verifyPassword("admin", "admin-password");

/** An organization of the superuser made a proxy cache of `upstream`. */
export async function proxyOrg(
  sys: TestSystem,
  name: string,
  upstream: string,
  opts: { expirationS?: number; username?: string; password?: string } = {},
): Promise<void> {
  const p = (await admin(sys))!;
  await sys.services.orgs.create(p, { name });
  await sys.services.proxyCache.create(p, name, { upstreamRegistry: upstream, insecure: true, ...opts });
}

/** Puts `tags` of built content into the upstream with skopeo (from an OCI layout; indexes with --all). */
export async function putUpstream(
  host: string,
  repo: string,
  tags: Record<string, Built>,
  creds?: [string, string],
): Promise<void> {
  const c = new Content();
  for (const b of Object.values(tags)) for (const [, bytes] of b.blobs) c.blobs.set(sha256(bytes), bytes);
  const layoutTags: Record<string, Built> = {};
  for (const [t, b] of Object.entries(tags)) {
    c.blobs.set(b.desc.digest, b.bytes);
    layoutTags[t] = b;
  }
  const layout = c.writeLayout(layoutTags);
  try {
    for (const [t, b] of Object.entries(tags)) {
      const all = b.desc.mediaType === MediaType.OciIndex ? ["--all"] : [];
      const auth = creds ? ["--dest-creds", creds.join(":")] : [];
      await skopeoCopy(
        `oci:${layout}:${t}`,
        `docker://${host}/${repo}:${t}`,
        "--dest-tls-verify=false",
        ...all,
        ...auth,
      );
    }
  } finally {
    fs.rmSync(layout, { recursive: true, force: true });
  }
}

/** Builds an image of incompressible layers (sizes before gzip) with its own Content, children kept. */
export function image(layerSizes: number[], arch = "amd64"): Built {
  return new Content().image({ layerSizes, arch });
}

export const parsed = (b: Built) => parseManifest(b.bytes, b.desc.mediaType);

/** An index of images built together (their blobs and manifests all in the result's maps). */
export function index(children: Built[]): Built & { children: Built[] } {
  const c = new Content();
  for (const ch of children) {
    for (const [d, b] of ch.blobs) c.blobs.set(d, b);
    c.blobs.set(ch.desc.digest, ch.bytes);
  }
  const built = c.index(children);
  const blobs = new Map([...built.blobs, ...children.map((ch) => [ch.desc.digest, ch.bytes] as const)]);
  return { ...built, blobs, children };
}

/** Pulls `repo:ref` through the cache as a client does; returns the manifest's digest and bytes. */
export async function pull(client: RegistryClient, repo: string, ref: string, accept?: string) {
  const m = await client.req("GET", repo, `/manifests/${ref}`, {
    actions: "pull",
    headers: {
      accept: accept ?? [MediaType.OciManifest, MediaType.OciIndex, MediaType.DockerManifest].join(","),
    },
  });
  const bytes = Buffer.from(await m.arrayBuffer());
  assert.equal(m.status, 200, `GET ${repo}:${ref}: ${bytes.toString().slice(0, 300)}`);
  const parsed = parseManifest(bytes, m.headers.get("content-type") ?? "");
  for (const d of parsed.blobDigests) {
    const b = await client.req("GET", repo, `/blobs/${d}`, { actions: "pull" });
    const body = Buffer.from(await b.arrayBuffer());
    assert.equal(b.status, 200, `GET blob ${d}: ${body.toString().slice(0, 300)}`);
    assert.equal(sha256(body), d, "blob bytes match their digest");
  }
  return { digest: m.headers.get("docker-content-digest")!, bytes, parsed };
}

/** The manifest digest an alive tag of `namespace/name` points at, from the database. */
export async function taggedDigest(sys: TestSystem, full: string, tag: string): Promise<string | null> {
  const [namespace, ...rest] = full.split("/");
  const t = await sys.db.tag.findFirst({
    where: {
      name: tag,
      repository: { name: rest.join("/"), namespace: { name: namespace } },
      OR: [{ lifetimeEnd: null }, { lifetimeEnd: { gt: new Date() } }],
    },
    include: { manifest: { select: { digest: true } } },
  });
  return t?.manifest.digest ?? null;
}

/** Whether the blob is stored and linked to `namespace/name`. */
export async function linked(sys: TestSystem, full: string, digest: string): Promise<boolean> {
  const [namespace, ...rest] = full.split("/");
  return (
    (await sys.db.repositoryBlob.count({
      where: { blob: { digest }, repository: { name: rest.join("/"), namespace: { name: namespace } } },
    })) > 0
  );
}
