// Mirroring tests' world: the server under test (mirroring on, no periodic look: each test drives its
// syncs), real upstreams (CNCF distribution, plain, htpasswd or TLS) with content put there
// by skopeo, an organization with a mirror robot, and helpers to run a sync to its end and read it.
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { MediaType } from "@hm/oci";
import { until } from "../notifications/receivers.js";
import { RestWorld, type Rest } from "../rest/client.js";
import { Content, sha256, skopeoCopy, type Built } from "../remote/content.js";
import { startDistribution, type Distribution, type DistributionOptions } from "../remote/upstreams.js";

export const ORG = "mirrors";
export const ROBOT = `${ORG}+syncer`;

/**
 * The periodic look every 23 days (Bull aligns its runs to multiples of the interval, so none falls within a
 * test run): tests sync with sync-now and run the look themselves (`mirrorSync.schedule()`).
 */
export const NO_PERIODIC_LOOK = "2000000";

export function mirrorWorld(env: Record<string, string> = {}): RestWorld {
  return RestWorld.forFile({ FEATURE_REPO_MIRROR: "true", REPO_MIRROR_INTERVAL: NO_PERIODIC_LOOK, ...env });
}

/** The organization, its robot and the admin's REST caller (once per file). */
export async function setUp(w: RestWorld): Promise<Rest> {
  await w.start();
  const admin = await w.as("admin", "admin-password");
  await admin.post("/organization/", { name: ORG, email: `${ORG}@example.com` });
  await admin.put(`/organization/${ORG}/robots/syncer`, { description: "mirror writer" });
  return admin;
}

let repoSeq = 0;
/** A fresh repository of the organization. */
export async function newRepo(admin: Rest, base = "mirror"): Promise<string> {
  const name = `${base}${++repoSeq}`;
  await admin.post("/repository", {
    namespace: ORG,
    repository: name,
    visibility: "private",
    description: "",
  });
  return `${ORG}/${name}`;
}

/** The seed's minimal body (§17.4.9) for an upstream repository, with the test's globs. */
export const minimalBody = (external: string, globs: string[] = ["latest"]) => ({
  external_reference: external,
  external_registry_username: "",
  sync_interval: 600,
  sync_start_date: "2021-08-06T11:11:39Z",
  root_rule: { rule_kind: "tag_glob_csv", rule_value: globs },
  robot_username: ROBOT,
});

/** A mirror of a plain-HTTP upstream (verify_tls off: plain HTTP is then allowed, as skopeo's). */
export async function createMirror(
  admin: Rest,
  repo: string,
  external: string,
  globs: string[],
  extra: Record<string, unknown> = {},
): Promise<void> {
  const r = await admin.call("POST", `/repository/${repo}/mirror`, {
    body: {
      ...minimalBody(external, globs),
      external_registry_config: { verify_tls: false },
      ...extra,
    },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

export interface SyncAnswer {
  id: string;
  status: string;
  tags_copied: number;
  tags_skipped: number;
  tags_deleted: number;
  error: string | null;
  logs: { message: string; level: string }[];
}

export const syncsOf = async (admin: Rest, repo: string): Promise<SyncAnswer[]> =>
  (await admin.get(`/repository/${repo}/mirror/syncs?limit=50`)).syncs;

/** Asks for a sync now and waits for a sync newer than the last one to finish; returns it. */
export async function syncNow(admin: Rest, repo: string, ms = 120_000): Promise<SyncAnswer> {
  const before = (await syncsOf(admin, repo))[0]?.id ?? "0";
  assert.equal((await admin.call("POST", `/repository/${repo}/mirror/sync-now`)).status, 204);
  return until(
    async () => {
      const latest = (await syncsOf(admin, repo))[0];
      return latest && BigInt(latest.id) > BigInt(before) && latest.status !== "running" && latest;
    },
    `a sync of ${repo} to finish`,
    ms,
  );
}

/** Alive tag names → manifest digests of a repository here. */
export async function tagsOf(admin: Rest, repo: string): Promise<Record<string, string>> {
  const page = await admin.get(`/repository/${repo}/tag/?onlyActiveTags=true&limit=100`);
  return Object.fromEntries(
    (page.tags as { name: string; manifest_digest: string }[]).map((t) => [t.name, t.manifest_digest]),
  );
}

/** An upstream with content: images, a multi-arch index with its children and a cosign-like signature. */
export interface Upstream {
  reg: Distribution;
  content: Content;
  images: Record<string, Built>;
  index: Built;
  children: Built[];
  /** The signature artifact of images.v1, tagged `sha256-<hex>.sig`. */
  sig: Built;
  sigTag: string;
  /** skopeo's destination arguments (credentials and TLS). */
  destArgs: string[];
  /** Copies what `built` is (from an OCI layout of everything built so far) to `name:tag` upstream. */
  put(name: string, tag: string, built: Built): Promise<void>;
  /** Puts every tag of the content (images, `multi`, the signature) into `name` upstream. */
  putAll(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** A signature as cosign stores it: an image manifest with a simple-signing layer. */
export function signatureOf(c: Content, image: Built): Built {
  const payload = Buffer.from(
    JSON.stringify({
      critical: {
        identity: { "docker-reference": "mirror/test" },
        image: { "docker-manifest-digest": image.desc.digest },
        type: "cosign container image signature",
      },
      optional: null,
    }),
  );
  const layer = c.blob(payload, "application/vnd.dev.cosign.simplesigning.v1+json");
  const config = c.blob(
    Buffer.from(
      JSON.stringify({ architecture: "", os: "", rootfs: { type: "layers", diff_ids: [sha256(payload)] } }),
    ),
    MediaType.OciConfig,
  );
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config,
      layers: [{ ...layer, annotations: { "dev.cosignproject.cosign/signature": "MEUCIQ-test-signature" } }],
    }),
  );
  const desc = c.blob(bytes, MediaType.OciManifest);
  return { desc, bytes, blobs: new Map([config, layer].map((d) => [d.digest, c.blobs.get(d.digest)!])) };
}

export async function startUpstream(
  opts: DistributionOptions & { name?: string; tags?: string[]; layerSizes?: number[] } = {},
): Promise<Upstream> {
  const reg = await startDistribution(opts);
  const c = new Content();
  const name = opts.name ?? "ns/app";
  const images: Record<string, Built> = {};
  for (const t of opts.tags ?? ["latest", "v1", "v1.1", "v2", "dev"])
    images[t] = c.image({ layerSizes: opts.layerSizes ?? [2048, 4096] });
  const children = [c.image({ arch: "amd64" }), c.image({ arch: "arm64" })];
  const index = c.index(children);
  const sig = signatureOf(c, images.v1 ?? Object.values(images)[0]!);
  const sigTag = `${(images.v1 ?? Object.values(images)[0]!).desc.digest.replace(":", "-")}.sig`;
  const destArgs = [
    "--dest-tls-verify=false",
    ...(opts.htpasswd ? [`--dest-creds=${opts.htpasswd.username}:${opts.htpasswd.password}`] : []),
  ];
  const put = async (repo: string, tag: string, built: Built) => {
    const layout = c.writeLayout({ [tag]: built });
    try {
      await skopeoCopy(`oci:${layout}:${tag}`, `docker://${reg.host}/${repo}:${tag}`, "--all", ...destArgs);
    } finally {
      fs.rmSync(layout, { recursive: true, force: true });
    }
  };
  const putAll = async (repo: string) => {
    for (const [t, b] of Object.entries(images)) await put(repo, t, b);
    await put(repo, "multi", index);
    await put(repo, sigTag, sig);
  };
  await putAll(name);
  return {
    reg,
    content: c,
    images,
    index,
    children,
    sig,
    sigTag,
    destArgs,
    put,
    putAll,
    stop: () => reg.stop(),
  };
}

/** Whether the audit log of a repository has an entry of `kind`, and who performed it. */
export async function performersOf(w: RestWorld, repo: string, kind: string): Promise<(string | null)[]> {
  const [ns, name] = repo.split("/");
  const rows = await w.sys.db.auditLog.findMany({
    where: { kind, repository: { name, namespace: { name: ns } } },
    select: { performer: true },
  });
  return rows.map((r) => r.performer);
}

/**
 * A TCP relay that hands the upstream's bytes to the client `bytesPerTick` every 20 ms: a slow upstream, so a
 * sync is still running when the test acts.
 */
export async function slowRelay(
  target: string,
  bytesPerTick: number,
): Promise<{ host: string; close(): Promise<void> }> {
  const [host, port] = [
    target.slice(0, target.lastIndexOf(":")),
    Number(target.slice(target.lastIndexOf(":") + 1)),
  ];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const up = net.connect(port, host);
    sockets.add(client).add(up);
    client.pipe(up);
    const queue: Buffer[] = [];
    let upEnded = false;
    up.on("data", (b: Buffer) => {
      queue.push(b);
      up.pause();
    });
    up.on("end", () => void (upEnded = true));
    const timer = setInterval(() => {
      let budget = bytesPerTick;
      while (budget > 0 && queue.length) {
        const head = queue[0]!;
        const take = head.subarray(0, budget);
        client.write(take);
        budget -= take.length;
        if (take.length === head.length) queue.shift();
        else queue[0] = head.subarray(take.length);
      }
      if (queue.length) return;
      if (upEnded) end();
      else up.resume();
    }, 20);
    const end = () => {
      clearInterval(timer);
      client.end();
      up.destroy();
    };
    up.on("error", end);
    client.on("error", end);
    client.on("close", () => {
      clearInterval(timer);
      up.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
