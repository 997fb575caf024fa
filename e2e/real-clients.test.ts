// Real clients against the real running system: buildah, podman and skopeo from Debian.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { startTestSystem, type TestSystem } from "../apps/api/test/harness.js";
import { Clients, haveClients } from "./clients.js";

let sys: TestSystem;
let c: Clients;
let REG: string;

before(async () => {
  assert.ok(haveClients(), "skopeo, podman and buildah must be installed (.ci/run installs them)");
  sys = await startTestSystem();
  REG = sys.host;
  c = new Clients(REG);
  await sys.services.accounts.createUser({
    username: "dev",
    email: "dev@example.com",
    password: "dev-password",
  });
  await c.buildBusybox("amd64");
  await c.buildBusybox("arm64");
});
after(async () => {
  await c?.cleanup();
  await sys?.stop();
});

const sha256 = (b: Buffer | string) => crypto.createHash("sha256").update(b).digest("hex");

describe("real clients", { concurrency: false }, () => {
  test("podman login with a user password", async () => {
    const out = await c.login("podman", "dev", "dev-password");
    assert.match(out, /Login Succeeded/);
    await assert.rejects(
      c.login("skopeo", "dev", "wrong-password", path.join(c.dir, "bad.json")),
      /unauthorized|invalid/i,
    );
  });

  test("buildah pushes a scratch image; skopeo inspects it with the same digest", async () => {
    const digestFile = path.join(c.dir, "bb.digest");
    await c.buildah(
      "push",
      "--tls-verify=false",
      "--digestfile",
      digestFile,
      "localhost/bb:amd64",
      `docker://${REG}/dev/bb:v1`,
    );
    const info = JSON.parse(await c.skopeo("inspect", "--tls-verify=false", `docker://${REG}/dev/bb:v1`));
    assert.equal(info.Digest, fs.readFileSync(digestFile, "utf8").trim());
    assert.equal(info.Architecture, "amd64");
    assert.deepEqual(info.RepoTags, ["v1"]);
    assert.equal(info.Labels["quay.expires-after"], "2h");
  });

  test("Dockerfile builds: COPY from scratch, then RUN on a base pulled from this registry", async () => {
    const ctx = path.join(c.dir, "ctx");
    fs.mkdirSync(ctx);
    fs.copyFileSync("/bin/busybox", path.join(ctx, "busybox"));
    fs.writeFileSync(path.join(ctx, "Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\n");
    await c.buildah("build", "-q", "-t", "localhost/bb:bud", ctx);
    await c.buildah("push", "--tls-verify=false", "localhost/bb:bud", `docker://${REG}/dev/bb:bud`);
    fs.writeFileSync(
      path.join(ctx, "Dockerfile.run"),
      `FROM ${REG}/dev/bb:bud\nRUN ["/bin/busybox","sh","-c","echo hi > /hello"]\n`,
    );
    await c.buildah(
      "build",
      "-q",
      "--isolation",
      "chroot",
      "--tls-verify=false",
      "-f",
      path.join(ctx, "Dockerfile.run"),
      "-t",
      "localhost/bb:run",
      ctx,
    );
    await c.buildah("push", "--tls-verify=false", "localhost/bb:run", `docker://${REG}/dev/bb:run`);
    const layers = JSON.parse(
      await c.skopeo("inspect", "--tls-verify=false", `docker://${REG}/dev/bb:run`),
    ).Layers;
    assert.equal(layers.length, 2, "base layer plus the RUN layer");
  });

  test("podman push and pull; skopeo copy, list-tags and delete", async () => {
    // A different image from v1: skopeo delete removes by digest, so a shared digest would take v1 with it.
    await c.podman("push", "--tls-verify=false", "localhost/bb:arm64", `${REG}/dev/bb:podman`);
    await c.podman("rmi", "-f", "localhost/bb:run").catch(() => "");
    const pulled = await c.podman("pull", "-q", "--tls-verify=false", `${REG}/dev/bb:run`);
    assert.match(pulled.trim(), /^[0-9a-f]{64}$/);
    const oci = path.join(c.dir, "oci-pulled");
    await c.skopeo("copy", "--src-tls-verify=false", `docker://${REG}/dev/bb:podman`, `oci:${oci}:x`);
    const index = JSON.parse(fs.readFileSync(path.join(oci, "index.json"), "utf8"));
    const m = index.manifests[0].digest.split(":")[1];
    assert.equal(sha256(fs.readFileSync(path.join(oci, "blobs/sha256", m))), m, "blobs arrive intact");
    const tags = JSON.parse(
      await c.skopeo("list-tags", "--tls-verify=false", `docker://${REG}/dev/bb`),
    ).Tags.sort();
    assert.deepEqual(tags, ["bud", "podman", "run", "v1"]);
    await c.skopeo("delete", "--tls-verify=false", `docker://${REG}/dev/bb:podman`);
    const after = JSON.parse(
      await c.skopeo("list-tags", "--tls-verify=false", `docker://${REG}/dev/bb`),
    ).Tags;
    assert.ok(!after.includes("podman"));
  });

  test("a two-platform index with buildah manifest push --all", async () => {
    await c.buildah("manifest", "create", "localhost/bb-list:v1");
    await c.buildah("manifest", "add", "localhost/bb-list:v1", "containers-storage:localhost/bb:amd64");
    await c.buildah("manifest", "add", "localhost/bb-list:v1", "containers-storage:localhost/bb:arm64");
    await c.buildah(
      "manifest",
      "push",
      "--all",
      "--tls-verify=false",
      "localhost/bb-list:v1",
      `docker://${REG}/dev/multi:v1`,
    );
    const raw = JSON.parse(
      await c.skopeo("inspect", "--tls-verify=false", "--raw", `docker://${REG}/dev/multi:v1`),
    );
    assert.deepEqual(
      raw.manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture).sort(),
      ["amd64", "arm64"],
    );
    const arm = JSON.parse(
      await c.skopeo(
        "inspect",
        "--tls-verify=false",
        "--override-arch",
        "arm64",
        `docker://${REG}/dev/multi:v1`,
      ),
    );
    assert.equal(arm.Architecture, "arm64");
    await c.skopeo(
      "copy",
      "--all",
      "--src-tls-verify=false",
      `docker://${REG}/dev/multi:v1`,
      `oci:${path.join(c.dir, "oci-multi")}:v1`,
    );
  });

  test("an OCI artifact with a subject, found through the referrers API", async () => {
    const subject = JSON.parse(await c.skopeo("inspect", "--tls-verify=false", `docker://${REG}/dev/bb:v1`))
      .Digest as string;
    const subjectRaw = await c.skopeo("inspect", "--tls-verify=false", "--raw", `docker://${REG}/dev/bb:v1`);
    const A = path.join(c.dir, "art");
    fs.mkdirSync(path.join(A, "blobs/sha256"), { recursive: true });
    fs.writeFileSync(path.join(A, "oci-layout"), '{"imageLayoutVersion":"1.0.0"}');
    const put = (b: string) => {
      const d = sha256(b);
      fs.writeFileSync(path.join(A, "blobs/sha256", d), b);
      return d;
    };
    const payload = "a signature payload\n";
    const ld = put(payload);
    const cd = put("{}");
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      artifactType: "application/vnd.example.signature.v1",
      config: { mediaType: "application/vnd.oci.empty.v1+json", digest: `sha256:${cd}`, size: 2 },
      layers: [{ mediaType: "application/vnd.example.sig.v1", digest: `sha256:${ld}`, size: payload.length }],
      subject: {
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        digest: subject,
        size: Buffer.byteLength(subjectRaw),
      },
    });
    const md = put(manifest);
    fs.writeFileSync(
      path.join(A, "index.json"),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: `sha256:${md}`,
            size: manifest.length,
            annotations: { "org.opencontainers.image.ref.name": "sig" },
          },
        ],
      }),
    );
    await c.skopeo("copy", "--dest-tls-verify=false", `oci:${A}:sig`, `docker://${REG}/dev/bb:sig`);
    assert.equal(
      sha256(await c.skopeo("inspect", "--tls-verify=false", "--raw", `docker://${REG}/dev/bb:sig`)),
      md,
      "digest preserved byte for byte",
    );
    const token = await (
      await fetch(`${sys.url}/v2/auth?scope=repository:dev/bb:pull`, {
        headers: { authorization: `Basic ${Buffer.from("dev:dev-password").toString("base64")}` },
      })
    ).json();
    const refs = await (
      await fetch(`${sys.url}/v2/dev/bb/referrers/${subject}`, {
        headers: { authorization: `Bearer ${token.token}` },
      })
    ).json();
    assert.deepEqual(
      refs.manifests.map((m: { digest: string; artifactType: string }) => [m.digest, m.artifactType]),
      [[`sha256:${md}`, "application/vnd.example.signature.v1"]],
    );
  });

  test("zstd layers", async () => {
    // Fresh content, so no client-side blob cache can substitute an existing gzip layer.
    const ctr = (await c.buildah("from", "scratch")).trim();
    fs.writeFileSync(path.join(c.dir, "random.bin"), crypto.randomBytes(4096));
    await c.buildah("copy", ctr, path.join(c.dir, "random.bin"), "/random.bin");
    await c.buildah("commit", "-q", ctr, "localhost/zst:1");
    await c.buildah(
      "push",
      "--tls-verify=false",
      "--compression-format",
      "zstd",
      "localhost/zst:1",
      `docker://${REG}/dev/bb:zstd`,
    );
    const raw = JSON.parse(
      await c.skopeo("inspect", "--tls-verify=false", "--raw", `docker://${REG}/dev/bb:zstd`),
    );
    assert.equal(raw.layers[0].mediaType, "application/vnd.oci.image.layer.v1.tar+zstd");
    await c.skopeo(
      "copy",
      "--src-tls-verify=false",
      `docker://${REG}/dev/bb:zstd`,
      `oci:${path.join(c.dir, "oci-zstd")}:z`,
    );
  });

  test("schema 1: buildah push --format v2s1 and pull it back", async () => {
    await c.buildah(
      "push",
      "--tls-verify=false",
      "--format",
      "v2s1",
      "localhost/bb:amd64",
      `docker://${REG}/dev/old:v1`,
    );
    const raw = JSON.parse(
      await c.skopeo("inspect", "--tls-verify=false", "--raw", `docker://${REG}/dev/old:v1`),
    );
    assert.equal(raw.schemaVersion, 1);
    const id = await c.podman("pull", "-q", "--tls-verify=false", `${REG}/dev/old:v1`);
    assert.match(id.trim(), /^[0-9a-f]{64}$/);
  });

  test("robot login: pushes where it has write, refused elsewhere", async () => {
    const { robot, fullName, token } = await sys.services.robots.create("dev", "deployer");
    const repo = (await sys.services.repos.find("dev/bb"))!;
    await sys.db.repositoryPermission.create({
      data: { repositoryId: repo.id, robotId: robot.id, role: "write" },
    });
    const auth = path.join(c.dir, "robot.json");
    fs.writeFileSync(auth, '{"auths":{}}');
    assert.match(await c.login("podman", fullName, token, auth), /Login Succeeded/);
    await c.podman(
      "push",
      "--tls-verify=false",
      "--authfile",
      auth,
      "localhost/bb:amd64",
      `${REG}/dev/bb:robot`,
    );
    await assert.rejects(
      c.podman(
        "push",
        "--tls-verify=false",
        "--authfile",
        auth,
        "localhost/bb:amd64",
        `${REG}/dev/elsewhere:robot`,
      ),
      /unauthorized|denied|authentication required/i,
    );
  });

  test("anonymous pull of a public repository; a private one is refused", async () => {
    const anon = path.join(c.dir, "anon.json");
    await assert.rejects(
      c.skopeo("inspect", "--tls-verify=false", "--authfile", anon, `docker://${REG}/dev/bb:v1`),
      /unauthorized|authentication required|denied/i,
    );
    await sys.db.repository.updateMany({
      where: { name: "bb", namespace: { name: "dev" } },
      data: { visibility: "public" },
    });
    const info = JSON.parse(
      await c.skopeo("inspect", "--tls-verify=false", "--authfile", anon, `docker://${REG}/dev/bb:v1`),
    );
    assert.equal(info.Architecture, "amd64");
  });
});
