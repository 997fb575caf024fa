// No answer from any door carries a stack trace or a server path outside development mode. The server runs
// as `npm start` runs it: the real entry point in a child process with NODE_ENV unset (an empty value reads
// the same to Apollo, Express and our config). An in-process server would prove nothing: the test runner
// sets NODE_ENV=test, which on its own hides Apollo's stack traces.
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, test } from "node:test";
import tar from "tar-stream";
import { ChildServer } from "../child-server.js";
import { basic, registryToken } from "../harness.js";
import { RegistryClient, sha } from "../registry-client.js";

let server: ChildServer;
let token: string;
const REPO = "admin/app";
const ADMIN = basic("admin", "admin-password");
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const tally = { cases: 0, byStatus: new Map<number, number>() };

const sys = () => ({ url: server.url, host: server.env.SERVER_HOSTNAME! });

before(async () => {
  server = await ChildServer.create({ NODE_ENV: "" });
  await server.start();
  token = await registryToken(sys(), [`repository:${REPO}:pull,push,delete`], ["admin", "admin-password"]);
  await pushSquashableImage();
});
after(async () => {
  console.log(`no-internals: ${tally.cases} requests; ${JSON.stringify(Object.fromEntries(tally.byStatus))}`);
  await server?.destroy();
});

/** admin/app:v1 with a real tar layer, so squash requests that get through build and stream an archive. */
async function pushSquashableImage(): Promise<void> {
  const pack = tar.pack();
  pack.entry({ name: "hello.txt" }, "hello");
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  const layer = Buffer.concat(chunks);
  const config = JSON.stringify({
    os: "linux",
    architecture: "amd64",
    rootfs: { type: "layers", diff_ids: [sha(layer)] },
  });
  const client = new RegistryClient(sys(), ["admin", "admin-password"]);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: {
      mediaType: "application/vnd.oci.image.config.v1+json",
      digest: await client.pushBlob(REPO, config),
      size: config.length,
    },
    layers: [
      {
        mediaType: "application/vnd.oci.image.layer.v1.tar",
        digest: await client.pushBlob(REPO, layer),
        size: layer.length,
      },
    ],
  });
  const res = await client.putManifest(REPO, "v1", Buffer.from(manifest));
  assert.equal(res.status, 201, await res.text());
}

interface Reply {
  status: number;
  type: string;
  location: string;
  body: string;
}

/** Sends exactly what it is given: the path unnormalised, any headers, any body. */
function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer | string,
): Promise<Reply> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode!,
          type: String(res.headers["content-type"] ?? ""),
          location: String(res.headers.location ?? ""),
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** What in a body would tell a caller about the server's insides. */
function leaks(body: string): string[] {
  const marks = [process.cwd(), server.env.DATA_DIR!, "/node_modules/", "dist/", ".ts:", "    at "];
  const found = marks.filter((m) => body.includes(m));
  if (/stacktrace/i.test(body)) found.push("stacktrace");
  if (/\bat .*:\d+:\d+\)?/.test(body)) found.push("stack frame");
  return found;
}

type Door = "graphql" | "registry" | "token" | "json" | "rest";

/** Sends one malformed request and checks the answer: no internals, no 5xx, the door's own error format. */
async function probe(
  door: Door,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer | string,
): Promise<Reply> {
  const r = await send(server.url, method, path, headers, body);
  tally.cases++;
  tally.byStatus.set(r.status, (tally.byStatus.get(r.status) ?? 0) + 1);
  const what = `${method} ${path.slice(0, 80)} → ${r.status} ${r.body.slice(0, 300)}`;
  assert.deepEqual(leaks(r.body), [], what);
  assert.ok(r.status < 500, what);
  if (method === "HEAD" || r.status < 400) return r;
  if (door === "json" && r.type.startsWith("text/html")) return r; // the console's index.html
  assert.match(r.type, /^application\/json/, what);
  const parsed = JSON.parse(r.body) as {
    error?: unknown;
    detail?: unknown;
    error_type?: unknown;
    status?: unknown;
    errors?: { code?: unknown; message?: unknown; extensions?: { code?: unknown } }[];
  };
  if (door === "graphql") {
    assert.ok(parsed.errors?.length, what);
    for (const e of parsed.errors) assert.match(String(e.extensions?.code), /^[A-Z_]+$/, what);
  } else if (door === "registry" || door === "token") {
    assert.ok(parsed.errors?.length, what);
    for (const e of parsed.errors) assert.match(String(e.code), /^[A-Z_]+$/, what);
  } else if (door === "rest") {
    // Quay's error shape, with the answer's own status.
    assert.equal(typeof parsed.detail, "string", what);
    assert.match(String(parsed.error_type), /^[a-z_]+$/, what);
    assert.equal(parsed.status, r.status, what);
  } else assert.equal(typeof parsed.error, "string", what);
  return r;
}

const gqlPost = (body: string | Buffer, headers: Record<string, string> = {}) =>
  probe("graphql", "POST", "/graphql", { "content-type": "application/json", ...headers }, body);

describe("/graphql", () => {
  test("invalid queries and syntax errors carry codes, not stack traces", async () => {
    const codeOf = (r: Reply) =>
      (JSON.parse(r.body) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code;
    // The case `npm start` leaked: a validation error with graphql-js frames in extensions.stacktrace.
    assert.equal(codeOf(await gqlPost(JSON.stringify({ query: "{ nope }" }))), "GRAPHQL_VALIDATION_FAILED");
    assert.equal(
      codeOf(await gqlPost(JSON.stringify({ query: "{ system { title " }))),
      "GRAPHQL_PARSE_FAILED",
    );
    for (const query of [
      "{ repositories(first: 99999999999) { totalCount } }",
      "query { system { nope } } query { system { title } }",
      "{ __type(name: 1) { name } }",
      "{".repeat(3000) + "}".repeat(3000),
      "mutation { nope(x: 1) }",
      "subscription { x }",
    ])
      await gqlPost(JSON.stringify({ query }));
    await gqlPost(JSON.stringify({ query: "{ system { title } }", operationName: "Missing" }));
  });

  test("malformed bodies, wrong content types and bad variables", async () => {
    for (const body of ["{not json", "[", '{"query": 42}', "[]", "null", '"x"', "{}", ""])
      await gqlPost(body);
    await gqlPost(
      Buffer.concat([
        Buffer.from('{"query":"{ system { title } }","x":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}'),
      ]),
    );
    await gqlPost(JSON.stringify({ query: "{ system { title } }", pad: "x".repeat(2 * 1024 * 1024) }));
    await gqlPost("{}", { "content-type": "application/json; charset=latin-7" });
    await gqlPost("{ system { title } }", { "content-type": "text/plain" });
    await gqlPost("query=x", { "content-type": "application/x-www-form-urlencoded" });
    await gqlPost("{ system { title } }", { "content-type": "application/graphql" });
    const q = "query($n: Int, $s: String){ repositories(first: $n, namespace: $s){ totalCount } }";
    for (const variables of [
      { n: "ten" },
      { n: 1e300 },
      { n: { deep: { er: [1, 2, 3] } } },
      { s: "x".repeat(200_000) },
      { n: Array.from({ length: 50_000 }, (_, i) => i) },
      "not an object",
      [1, 2],
    ])
      await gqlPost(JSON.stringify({ query: q, variables }));
    await gqlPost(`{"query":"${q}","variables":{"n":${"[".repeat(10_000)}${"]".repeat(10_000)}}}`);
  });

  test("GET requests with bad parameters and percent-encoding", async () => {
    const pre = { "apollo-require-preflight": "true" };
    for (const qs of ["query=%7Bnope%7D", "query=%ZZ", "query=%E0%A4%A", "variables=%7Bbad", "query=&x=1"])
      await probe("graphql", "GET", `/graphql?${qs}`, pre);
    await probe("graphql", "GET", "/graphql?query=%7B__typename%7D"); // no preflight header (CSRF)
    await probe("graphql", "PUT", "/graphql", { "content-type": "application/json" }, "{}");
  });
});

describe("/v2", () => {
  const auth = () => ({ authorization: `Bearer ${token}` });

  test("bad names, references, digests and percent-encoding", async () => {
    for (const path of [
      "/v2/ALICE/app/tags/list",
      "/v2/admin//app/tags/list",
      "/v2/admin/%E0%A4%A/tags/list",
      "/v2/admin/app%00/tags/list",
      "/v2/admin/%2e%2e/app/tags/list",
      `/v2/admin/${"a".repeat(300)}/tags/list`,
      `/v2/${REPO}/manifests/%ZZ`,
      `/v2/${REPO}/manifests/.INVALID_MANIFEST_NAME`,
      `/v2/${REPO}/manifests/sha256:xyz`,
      `/v2/${REPO}/blobs/sha256:xyz`,
      `/v2/${REPO}/blobs/md5:abcd`,
      `/v2/${REPO}/blobs/%ZZ`,
      `/v2/${REPO}/referrers/nope`,
      `/v2/${REPO}/tags/list?n=abc`,
      `/v2/${REPO}/tags/list?last=%ZZ`,
      "/v2/_catalog?n=-1",
      `/v2/${REPO}/nothing/here`,
    ]) {
      await probe("registry", "GET", path, auth());
      await probe("registry", "HEAD", path, auth());
    }
    await probe("registry", "PATCH", `/v2/${REPO}/tags/list`, auth()); // method not allowed
  });

  test("credentials: none, garbage Bearer tokens, malformed Basic", async () => {
    for (const authorization of [
      "",
      "Bearer garbage",
      "Bearer a.b.c",
      `Bearer ${token}x`,
      "Basic !!!notbase64",
      `Basic ${Buffer.from("nocolon").toString("base64")}`,
      basic("admin", "wrong"),
      basic("admin\u0000", "x"),
      "Digest abc",
    ]) {
      const h: Record<string, string> = authorization ? { authorization } : {};
      await probe("registry", "GET", "/v2/", h);
      await probe("registry", "GET", `/v2/${REPO}/manifests/v1`, h);
      await probe("registry", "PUT", `/v2/${REPO}/manifests/x`, { ...h, "content-type": OCI_MANIFEST }, "{}");
    }
  });

  test("bad manifests and bad uploads", async () => {
    const put = (body: string | Buffer, type = OCI_MANIFEST, ref = "bad") =>
      probe("registry", "PUT", `/v2/${REPO}/manifests/${ref}`, { ...auth(), "content-type": type }, body);
    for (const body of ["{not json", "[]", "null", '{"schemaVersion":"2"}', '{"schemaVersion":2,"layers":7}'])
      await put(body);
    await put(Buffer.from([0xff, 0xfe, 0x7b, 0x7d]));
    await put("{}", "text/plain");
    await put(Buffer.alloc(5 * 1024 * 1024, 0x20));
    await put("{}", OCI_MANIFEST, "-bad-tag");
    await put("{}", OCI_MANIFEST, `sha256:${"0".repeat(64)}`);
    const start = await probe("registry", "POST", `/v2/${REPO}/blobs/uploads/`, auth());
    assert.equal(start.status, 202);
    const uploads = `/v2/${REPO}/blobs/uploads`;
    const loc = new URL(start.location, server.url);
    for (const range of ["bytes=abc", "0-", "5-9", "10-2", "-1-3", "0-99999999999999999999"])
      await probe(
        "registry",
        "PATCH",
        loc.pathname + loc.search,
        { ...auth(), "content-range": range, "content-type": "application/octet-stream" },
        "hello",
      );
    await probe("registry", "PUT", `${loc.pathname}?digest=sha256:nothex`, auth(), "x");
    await probe("registry", "PUT", `${loc.pathname}?digest=${sha("other")}`, auth(), "x");
    await probe("registry", "PUT", `${loc.pathname}?digest=%ZZ`, auth(), "x");
    for (const id of ["not-a-uuid", "%ZZ", "00000000-0000-4000-8000-000000000000"]) {
      await probe("registry", "PATCH", `${uploads}/${id}`, auth(), "x");
      await probe("registry", "GET", `${uploads}/${id}`, auth());
      await probe("registry", "DELETE", `${uploads}/${id}`, auth());
    }
    await probe("registry", "POST", `${uploads}/?digest=sha256:nothex`, auth(), "data");
    await probe("registry", "POST", `${uploads}/?mount=%ZZ&from=..%2F..`, auth());
  });
});

describe("/v2/auth (token endpoint)", () => {
  test("bad Basic credentials and bad scopes", async () => {
    const service = `service=${encodeURIComponent(server.env.SERVER_HOSTNAME!)}`;
    for (const authorization of [
      "Basic !!!notbase64",
      "Basic ",
      `Basic ${Buffer.from("nocolon").toString("base64")}`,
      `Basic ${Buffer.from(":").toString("base64")}`,
      basic("admin", "wrong"),
      basic("a".repeat(10_000), "x"),
      basic("admin\u0000", "x"),
      "Bearer nope",
    ])
      await probe("token", "GET", `/v2/auth?${service}`, { authorization });
    for (const params of [
      "scope=%ZZ",
      "scope=repository:../../etc:pull",
      "scope=repository:admin/a%00b:pull&scope=repository:admin/app:pu%00ll",
      `scope=${"x".repeat(5000)}`,
      "scope=repository:admin/app:pull&scope=registry:catalog:*&scope=::::",
      "scope[]=x&scope[a]=y",
      "account=%E0%A4%A&offline_token=maybe",
      "service=%ZZ",
    ])
      await probe("token", "GET", `/v2/auth?${service}&${params}`, { authorization: ADMIN });
    await probe("token", "POST", "/v2/auth", { "content-type": "application/json" }, "{not json");
  });
});

describe("squash, operations, web console and unknown paths", () => {
  test("squash downloads with bad paths and credentials", async () => {
    for (const [path, headers] of [
      ["/c1/squash/%E0%A4%A/app/v1", { authorization: ADMIN }],
      ["/c1/squash/admin/app/%ZZ", { authorization: ADMIN }],
      ["/c1/squash/a", {}],
      ["/c1/squash/admin/app/v1", {}],
      ["/c1/squash/admin/app/v1", { authorization: "Basic !!!" }],
      ["/c1/squash/admin/app/v1", { authorization: basic("admin\u0000", "x") }],
      ["/c1/squash/admin/a%00b/v1", { authorization: ADMIN }],
      ["/c1/squash/admin/app/nope", { authorization: ADMIN }],
      ["/c1/squash/admin/app/v1?platform=%ZZ", { authorization: ADMIN }],
      ["/c1/squash/admin/app/v1?platform=x/y/z/w", { authorization: ADMIN }],
      ["/c1/squash/ADMIN/../../etc/passwd", { authorization: ADMIN }],
      ["/c1/squash/admin/app/v1?platform=linux/amd64&platform=x", { authorization: ADMIN }],
    ] as const)
      await probe("json", "GET", path, headers);
  });

  test("malformed JSON and bad encodings to the other routes; unknown paths", async () => {
    const json = { "content-type": "application/json" };
    for (const path of ["/", "/health/live", "/metrics", "/c1/squash/admin/app/v1"])
      await probe("json", "POST", path, json, "{not json");
    for (const path of [
      "/%ZZ",
      "/%E0%A4%A",
      "/assets/%ZZ.js",
      "/assets/..%2f..%2fpackage.json",
      "/index.html%00",
      "/health/%ZZ",
      "/nope/nope",
    ]) {
      await probe("json", "GET", path, { accept: "application/json" });
      await probe("json", "GET", path, { accept: "text/html" });
    }
  });
});

describe("/api/v1 (REST)", () => {
  const rest = (method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer) =>
    probe("rest", method, path, { accept: "application/json", ...headers }, body);
  const json = { "content-type": "application/json", authorization: ADMIN };

  test("bad paths, encodings, methods and query parameters", async () => {
    for (const path of [
      "/api/v1/repository?namespace=%ZZ",
      "/api/v1/repository/%ZZ/x",
      "/api/v1/repository/admin/a%00b",
      "/api/v1/users/a%00b",
      `/api/v1/users/${"x".repeat(5000)}`,
      "/api/v1/repository/admin/app/tag/?limit=abc",
      "/api/v1/repository/admin/app/tag/?page=-1",
      "/api/v1/repository/admin/app/tag/?page=1&page=2",
      "/api/v1/repository/admin/app/tag/?specificTag=%00",
      "/api/v1/repository?namespace=admin&next_page=%ZZ",
      "/api/v1/repository?namespace=admin&next_page=eyJ4IjoxfQ",
      "/api/v1/repository/admin/app/manifest/sha256:zz",
      "/api/v1/repository/admin/app/logs?starttime=13/45/2020",
      "/api/v1/nope",
      "/api/nope",
      "/api",
    ]) {
      await rest("GET", path, { authorization: ADMIN });
      await rest("GET", path, { accept: "text/html" });
    }
    await rest("PATCH", "/api/v1/user/", { authorization: ADMIN });
    await rest("POST", "/api/v1/user/", json, "{}");
  });

  test("malformed, oversized and ill-typed bodies; bad credentials", async () => {
    const path = "/api/v1/repository";
    for (const body of [
      "{not json",
      "[]",
      '"text"',
      "null",
      '{"repository": 5, "visibility": "private"}',
      '{"repository": "x", "visibility": "secret"}',
      '{"repository": "x", "visibility": "private", "extra": 1}',
      '{"repository": "a\u0000b", "visibility": "private"}',
      '{"repository": "' + "x".repeat(300) + '", "visibility": "private"}',
      JSON.stringify({ repository: "x", visibility: "private", description: "d".repeat(2 * 1024 * 1024) }),
    ])
      await rest("POST", path, json, body);
    await rest("POST", path, { ...json, "content-type": "text/plain" }, "{");
    await rest("PUT", "/api/v1/repository/admin/app/tag/v1", json, '{"expiration": "soon"}');
    await rest("PUT", "/api/v1/organization/x/team/y", json, '{"role": ["admin"]}');
    for (const authorization of [
      "Bearer",
      "Bearer nope",
      "Basic !!!",
      basic("admin", "admin-password"),
      basic("$app", "x\u0000"),
    ])
      await rest("GET", "/api/v1/user/", { authorization });
    await rest(
      "PUT",
      "/api/v1/user/robots/x",
      { cookie: "hm_session=forged", "content-type": "application/json" },
      "{}",
    );
  });
});

describe("development mode", () => {
  test("NODE_ENV=development puts stack traces into GraphQL errors (so the checks above can see one)", async () => {
    const dev = await ChildServer.create({ NODE_ENV: "development" });
    try {
      await dev.start();
      const r = await send(
        dev.url,
        "POST",
        "/graphql",
        { "content-type": "application/json" },
        '{"query":"{ nope }"}',
      );
      assert.equal(r.status, 400);
      const found = leaks(r.body);
      assert.ok(found.includes("stacktrace") && found.includes("    at "), `found ${found.join(", ")}`);
    } finally {
      await dev.destroy();
    }
  });
});
