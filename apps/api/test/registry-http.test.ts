// The OCI Distribution surface over real HTTP, against the real database, Redis and filesystem: authentication,
// unknown endpoints and a TLS hello on the plain port. Blobs and manifests have files of their own.
import assert from "node:assert/strict";
import net from "node:net";
import { describe, test } from "node:test";
import { basic, registryToken, type TestSystem } from "./harness.js";
import { RegistryClient } from "./registry-client.js";
import { errCode, registryWorld } from "./registry-fixtures.js";

let sys: TestSystem;
let alice: RegistryClient;
let bob: RegistryClient;
let anon: RegistryClient;
registryWorld((w) => ({ sys, alice, bob, anon } = w));

describe("authentication", () => {
  test("GET /v2/ challenges with a Bearer realm, and accepts a token", async () => {
    const res = await fetch(`${sys.url}/v2/`);
    assert.equal(res.status, 401);
    assert.equal(
      res.headers.get("www-authenticate"),
      `Bearer realm="http://${sys.host}/v2/auth",service="${sys.host}"`,
    );
    assert.equal(res.headers.get("docker-distribution-api-version"), "registry/2.0");
    const token = await registryToken(sys, [], ["alice", "alice-password"]);
    assert.equal(
      (await fetch(`${sys.url}/v2/`, { headers: { authorization: `Bearer ${token}` } })).status,
      200,
    );
  });

  test("bad credentials are refused at the token endpoint and on /v2", async () => {
    const res = await fetch(`${sys.url}/v2/auth?service=x`, {
      headers: { authorization: basic("alice", "wrong") },
    });
    assert.equal(res.status, 401);
    assert.equal(await errCode(res), "UNAUTHORIZED");
    const forged = await fetch(`${sys.url}/v2/`, { headers: { authorization: "Bearer abc.def.ghi" } });
    assert.equal(forged.status, 401);
    assert.match(forged.headers.get("www-authenticate")!, /error="invalid_token"/);
  });

  test("grants are narrowed to what the caller may do", async () => {
    await alice.pushImage("alice/private", "v1");
    const t = await registryToken(sys, ["repository:alice/private:pull,push"], ["bob", "bob-password"]);
    const claims = JSON.parse(Buffer.from(t.split(".")[1]!, "base64url").toString());
    assert.deepEqual(claims.access, [{ type: "repository", name: "alice/private", actions: [] }]);
    const res = await fetch(`${sys.url}/v2/alice/private/manifests/v1`, {
      headers: { authorization: `Bearer ${t}` },
    });
    assert.equal(res.status, 401);
    assert.match(
      res.headers.get("www-authenticate")!,
      /scope="repository:alice\/private:pull",error="insufficient_scope"/,
    );
  });

  test("app-specific tokens log in as $app", async () => {
    const user = await sys.db.user.findUniqueOrThrow({ where: { username: "alice" } });
    const { sha256hex } = await import("../src/access/secrets.js");
    await sys.db.appToken.create({
      data: { userId: user.id, title: "cli", tokenHash: sha256hex("app-token-value") },
    });
    const t = await registryToken(sys, ["repository:alice/private:pull"], ["$app", "app-token-value"]);
    const res = await fetch(`${sys.url}/v2/alice/private/manifests/v1`, {
      headers: { authorization: `Bearer ${t}` },
    });
    assert.equal(res.status, 200);
    // A burst of pulls: written in the background, grouped into multi-row INSERTs, none lost. Entries are
    // stamped in milliseconds when the pull is served, so the pull above could share the burst's first
    // millisecond: the burst starts a little later.
    await new Promise((r) => setTimeout(r, 5));
    const burstStart = new Date();
    const burst = await Promise.all(
      Array.from({ length: 30 }, () =>
        fetch(`${sys.url}/v2/alice/private/manifests/v1`, { headers: { authorization: `Bearer ${t}` } }),
      ),
    );
    assert.deepEqual([...new Set(burst.map((r) => r.status))], [200]);
    const repo = (await sys.services.repos.find("alice/private"))!;
    const where = {
      kind: "pull_repo",
      repositoryId: repo.id,
      createdAt: { gte: burstStart },
      metadata: { path: ["tag"], equals: "v1" },
    };
    for (let i = 0; i < 50 && (await sys.db.auditLog.count({ where })) < 30; i++)
      await new Promise((r) => setTimeout(r, 100));
    const pulls = await sys.db.auditLog.findMany({ where, orderBy: { id: "desc" } });
    assert.equal(pulls.length, 30, "every pull of the burst is audited, once");
    const p = pulls[0]!;
    assert.deepEqual(
      [p.performer, p.performerId, p.namespaceId, p.ip, p.metadata],
      ["alice", user.id, repo.namespaceId, "127.0.0.1", { repo: "private", namespace: "alice", tag: "v1" }],
    );
    assert.ok(Date.now() - p.createdAt.getTime() < 60_000, "stamped with the time of the pull");
  });

  test("Basic credentials work directly on /v2 for scripts", async () => {
    const res = await fetch(`${sys.url}/v2/alice/private/tags/list`, {
      headers: { authorization: basic("alice", "alice-password") },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { name: "alice/private", tags: ["v1"] });
  });

  test("anonymous users pull public repositories only", async () => {
    const { digest } = await alice.pushImage("alice/public", "v1");
    await sys.db.repository.updateMany({
      where: { name: "public" },
      data: { visibility: "public" },
    });
    const ok = await anon.req("GET", "alice/public", "/manifests/v1", { actions: "pull" });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("docker-content-digest"), digest);
    const denied = await anon.req("GET", "alice/private", "/manifests/v1", { actions: "pull" });
    assert.equal(denied.status, 401);
    const push = await anon.req("POST", "alice/public", "/blobs/uploads/", { actions: "pull,push" });
    assert.equal(push.status, 401);
  });

  test("pushing into another user's namespace is refused; own namespace creates a private repository", async () => {
    const res = await bob.req("POST", "alice/newrepo", "/blobs/uploads/");
    assert.equal(res.status, 401);
    assert.equal(await sys.services.repos.find("alice/newrepo"), null);
    await bob.pushImage("bob/created-by-push", "latest");
    const repo = await sys.services.repos.find("bob/created-by-push");
    assert.equal(repo?.visibility, "private");
    assert.ok(await sys.db.auditLog.findFirst({ where: { kind: "create_repo", repositoryId: repo!.id } }));
  });

  test("robots: write on one repository pushes there and nowhere else", async () => {
    const { robot, fullName, token } = await sys.services.robots.create("alice", "ci");
    const target = (await sys.services.repos.find("alice/private"))!;
    await sys.db.repositoryPermission.create({
      data: { repositoryId: target.id, robotId: robot.id, role: "write" },
    });
    const ci = new RegistryClient(sys, [fullName, token]);
    await ci.pushImage("alice/private", "from-robot");
    const elsewhere = await ci.req("POST", "alice/public", "/blobs/uploads/");
    assert.equal(elsewhere.status, 401);
    const wrong = await fetch(`${sys.url}/v2/auth?service=x`, {
      headers: { authorization: basic(fullName, "nope") },
    });
    assert.equal(wrong.status, 401);
  });
});

// After "authentication": it lists the repositories those tests created.
describe("catalog", () => {
  test("_catalog lists only what the caller may see, with paging", async () => {
    const t = await registryToken(sys, ["registry:catalog:*"], ["bob", "bob-password"]);
    const res = await fetch(`${sys.url}/v2/_catalog`, { headers: { authorization: `Bearer ${t}` } });
    const names = ((await res.json()) as { repositories: string[] }).repositories;
    assert.ok(names.includes("alice/public"));
    assert.ok(names.includes("bob/created-by-push"));
    assert.ok(!names.includes("alice/private"));
    const page = await fetch(`${sys.url}/v2/_catalog?n=1`, { headers: { authorization: `Bearer ${t}` } });
    assert.equal(((await page.json()) as { repositories: string[] }).repositories.length, 1);
    assert.match(page.headers.get("link")!, /rel="next"/);
  });
});

describe("robustness", () => {
  test("a TLS ClientHello on the plain-HTTP port does not disturb the server", async () => {
    const hello = Buffer.from("16030100a5010000a10303" + "00".repeat(160), "hex");
    await new Promise<void>((resolve) => {
      const s = net.connect(Number(sys.host.split(":")[1]), "127.0.0.1", () => s.write(hello));
      s.on("data", () => {});
      s.on("close", () => resolve());
      s.on("error", () => resolve());
      setTimeout(() => s.destroy(), 1000);
    });
    assert.equal((await fetch(`${sys.url}/health/live`)).status, 200);
  });

  test("unknown endpoints and methods answer in OCI error JSON", async () => {
    const t = await registryToken(sys, ["repository:alice/app:pull"], ["alice", "alice-password"]);
    const res = await fetch(`${sys.url}/v2/alice/app/manifests/v1`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${t}` },
    });
    assert.equal(res.status, 405);
    assert.equal(await errCode(res), "UNSUPPORTED");
    const nope = await fetch(`${sys.url}/v2/alice/app/nothing`, {
      headers: { authorization: `Bearer ${t}` },
    });
    assert.equal(nope.status, 404);
  });
});
