// Repository mirroring with the real clients: a busybox image built by buildah and a multi-arch index put into
// a CNCF distribution with podman and skopeo, mirrored by the seed's REST calls, then pulled from the mirror
// by podman (layers unpacked) and skopeo (the index with every child); users' podman pushes into the mirror
// are refused with "repository is mirrored", and into a READ_ONLY repository with "read-only".
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { RestWorld, type Rest } from "../apps/api/test/rest/client.js";
import { until } from "../apps/api/test/notifications/receivers.js";
import { Content, skopeoCopy } from "../apps/api/test/remote/content.js";
import {
  DOCKER_REGISTRY,
  requireBinaries,
  startDistribution,
  type Distribution,
} from "../apps/api/test/remote/upstreams.js";
import { NO_PERIODIC_LOOK } from "../apps/api/test/mirroring/fixtures.js";
import { Clients, haveClients } from "./clients.js";

// No periodic look within the run (see NO_PERIODIC_LOOK): the test syncs with sync-now.
const w = RestWorld.forFile({ FEATURE_REPO_MIRROR: "true", REPO_MIRROR_INTERVAL: NO_PERIODIC_LOOK });
const ORG = "mirrorco";
let admin: Rest;
let c: Clients;
let reg: Distribution;
let reader: { name: string; password: string };
let writer: { name: string; password: string };

before(async () => {
  assert.ok(haveClients(), "skopeo, podman and buildah must be installed (.ci/run installs them)");
  requireBinaries(DOCKER_REGISTRY);
  await w.start();
  reg = await startDistribution();
  admin = await w.as("admin", "admin-password");
  await admin.post("/organization/", { name: ORG, email: `${ORG}@example.com` });
  await admin.put(`/organization/${ORG}/robots/mirror`, { description: "" });
  for (const name of ["busybox", "frozen"])
    await admin.post("/repository", {
      namespace: ORG,
      repository: name,
      visibility: "private",
      description: "",
    });
  reader = await w.user("reader");
  writer = await w.user("writer");
  for (const repo of ["busybox", "frozen"]) {
    await admin.put(`/repository/${ORG}/${repo}/permissions/user/${reader.name}`, { role: "read" });
    await admin.put(`/repository/${ORG}/${repo}/permissions/user/${writer.name}`, { role: "write" });
  }
  c = new Clients(w.sys.host);
  // Upstream content: buildah's busybox images pushed by podman, a hand-made index by skopeo.
  await c.buildBusybox("amd64");
  await c.podman(
    "push",
    "--tls-verify=false",
    "localhost/bb:amd64",
    `docker://${reg.host}/library/busybox:1.36`,
  );
  await c.podman(
    "push",
    "--tls-verify=false",
    "localhost/bb:amd64",
    `docker://${reg.host}/library/busybox:latest`,
  );
  const content = new Content();
  const index = content.index([content.image({ arch: "amd64" }), content.image({ arch: "arm64" })]);
  const layout = content.writeLayout({ multi: index });
  await skopeoCopy(
    `oci:${layout}:multi`,
    `docker://${reg.host}/library/busybox:multi`,
    "--all",
    "--dest-tls-verify=false",
  );
  fs.rmSync(layout, { recursive: true, force: true });
});
after(async () => {
  await c?.cleanup();
  await reg?.stop();
});

const syncs = async (repo: string) => (await admin.get(`/repository/${ORG}/${repo}/mirror/syncs`)).syncs;

describe("mirroring with podman and skopeo", () => {
  test("the seed's create and sync-now; podman pulls the mirrored image, skopeo copies the index", async () => {
    const created = await admin.call("POST", `/repository/${ORG}/busybox/mirror`, {
      body: {
        is_enabled: true,
        external_reference: `${reg.host}/library/busybox`,
        external_registry_username: "",
        external_registry_config: { verify_tls: false, unsigned_images: true, proxy: {} },
        sync_interval: 600,
        sync_start_date: "2021-08-06T11:11:39Z",
        root_rule: { rule_kind: "tag_glob_csv", rule_value: ["1.*", "multi"] },
        robot_username: `${ORG}+mirror`,
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await admin.call("POST", `/repository/${ORG}/busybox/mirror/sync-now`)).status, 204);
    const sync = await until(
      async () => (await syncs("busybox")).find((s: { status: string }) => s.status !== "running"),
      "the sync",
      120_000,
    );
    assert.equal(sync.status, "success", JSON.stringify(sync));
    assert.equal(sync.tags_copied, 2);

    // A storage of its own: the layers come from the mirror and are unpacked there.
    const puller = new Clients(w.sys.host);
    try {
      await puller.login("podman", reader.name, reader.password);
      const id = (
        await puller.podman("pull", "-q", "--tls-verify=false", `${w.sys.host}/${ORG}/busybox:1.36`)
      ).trim();
      assert.match(id, /^[0-9a-f]{64}$/);
      const inspected = JSON.parse(await puller.podman("image", "inspect", id)) as { Architecture: string }[];
      assert.equal(inspected[0]!.Architecture, "amd64");
      await assert.rejects(
        puller.podman("pull", "--tls-verify=false", `${w.sys.host}/${ORG}/busybox:latest`),
        /manifest unknown|not found/i,
        "latest matches no glob",
      );
    } finally {
      await puller.cleanup();
    }

    await c.login("skopeo", reader.name, reader.password);
    const raw = JSON.parse(
      await c.skopeo("inspect", "--raw", "--tls-verify=false", `docker://${w.sys.host}/${ORG}/busybox:multi`),
    ) as {
      manifests: { digest: string }[];
    };
    assert.equal(raw.manifests.length, 2);
    const oci = path.join(c.dir, "multi-oci");
    await c.skopeo(
      "copy",
      "--all",
      "--src-tls-verify=false",
      `docker://${w.sys.host}/${ORG}/busybox:multi`,
      `oci:${oci}:multi`,
    );
    for (const m of raw.manifests)
      assert.ok(
        fs.existsSync(path.join(oci, "blobs", "sha256", m.digest.slice(7))),
        `child ${m.digest} copied`,
      );
  });

  test("a user's podman push into the mirror is refused: repository is mirrored", async () => {
    await c.login("podman", writer.name, writer.password);
    await assert.rejects(
      c.podman("push", "--tls-verify=false", "localhost/bb:amd64", `${w.sys.host}/${ORG}/busybox:mine`),
      /repository is mirrored/,
    );
  });

  test("READ_ONLY: a user's podman push is refused: read-only; NORMAL again takes it", async () => {
    assert.deepEqual(await admin.put(`/repository/${ORG}/frozen/changestate`, { state: "READ_ONLY" }), {
      success: true,
    });
    await c.login("podman", writer.name, writer.password);
    await assert.rejects(
      c.podman("push", "--tls-verify=false", "localhost/bb:amd64", `${w.sys.host}/${ORG}/frozen:v1`),
      /read-only/,
    );
    await admin.put(`/repository/${ORG}/frozen/changestate`, { state: "NORMAL" });
    await c.podman("push", "--tls-verify=false", "localhost/bb:amd64", `${w.sys.host}/${ORG}/frozen:v1`);
  });
});
