// A corpus of malformed requests against /v2, the token endpoint and /graphql. Each must get a 4xx in the
// protocol's own error format; afterwards the server is alive, has answered no 5xx, and nothing half-written
// is visible. Raw sockets are used where fetch would refuse to send the garbage.
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { after, before, describe, test } from "node:test";
import { basic, registryToken, startTestSystem, type TestSystem } from "../harness.js";
import { RegistryClient, sha } from "../registry-client.js";

let sys: TestSystem;
let token: string;
const REPO = "alice/app";
const tally = { cases: 0, byStatus: new Map<number, number>() };

before(async () => {
  sys = await startTestSystem({ MAX_MANIFEST_BYTES: String(64 * 1024) }, { workers: false });
  await sys.services.accounts.createUser({
    username: "alice",
    email: "alice@example.com",
    password: "password-123",
  });
  token = await registryToken(sys, [`repository:${REPO}:pull,push,delete`], ["alice", "password-123"]);
  await new RegistryClient(sys, ["alice", "password-123"]).pushImage(REPO, "v1");
});
after(async () => {
  // The figures RELIABILITY.md quotes.
  console.log(
    `malformed-input corpus: ${tally.cases} requests; statuses ${JSON.stringify(Object.fromEntries(tally.byStatus))}`,
  );
  await sys?.stop();
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Sends exactly what it is given (path unnormalised, any headers, any body). */
function send(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer | string,
): Promise<Reply> {
  const u = new URL(sys.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, method, path, headers, insecureHTTPParser: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const r = {
            status: res.statusCode!,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          };
          tally.cases++;
          tally.byStatus.set(r.status, (tally.byStatus.get(r.status) ?? 0) + 1);
          resolve(r);
        });
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

const auth = () => ({ authorization: `Bearer ${token}` });

/** A /v2 error: the status, the OCI error JSON and the expected code. */
function ociError(r: Reply, status: number, code: string | string[]) {
  assert.equal(r.status, status, `status for ${r.body}`);
  const body = JSON.parse(r.body) as { errors: { code: string; message: string }[] };
  const codes = Array.isArray(code) ? code : [code];
  assert.ok(codes.includes(body.errors[0]!.code), `got ${body.errors[0]!.code}, want ${codes.join("|")}`);
  assert.ok(body.errors[0]!.message.length > 0);
}

describe("/v2 malformed input", () => {
  test("bad digests", async () => {
    for (const d of [
      "sha256:xyz",
      `sha256:${"a".repeat(63)}`,
      `sha256:${"A".repeat(64)}`,
      "md5:abcd",
      "sha256",
      ":",
    ]) {
      ociError(await send("GET", `/v2/${REPO}/blobs/${encodeURIComponent(d)}`, auth()), 400, [
        "DIGEST_INVALID",
        "UNSUPPORTED",
      ]);
    }
    const upload = await send(
      "POST",
      `/v2/${REPO}/blobs/uploads/?digest=sha256:nothex`,
      { ...auth(), "content-type": "application/octet-stream" },
      "data",
    );
    ociError(upload, 400, "DIGEST_INVALID");
    // A correct-looking digest that does not match the bytes.
    const wrong = await send(
      "POST",
      `/v2/${REPO}/blobs/uploads/?digest=${sha("other")}`,
      { ...auth(), "content-type": "application/octet-stream" },
      "data",
    );
    ociError(wrong, 400, "DIGEST_INVALID");
    assert.equal((await send("HEAD", `/v2/${REPO}/blobs/${sha("other")}`, auth())).status, 404);
    assert.equal((await send("HEAD", `/v2/${REPO}/blobs/${sha("data")}`, auth())).status, 404);
  });

  test("manifests: invalid JSON, wrong media types, missing references, oversized", async () => {
    const put = (body: string | Buffer, type: string, ref = "bad") =>
      send("PUT", `/v2/${REPO}/manifests/${ref}`, { ...auth(), "content-type": type }, body);
    ociError(await put("{not json", "application/vnd.oci.image.manifest.v1+json"), 400, "MANIFEST_INVALID");
    ociError(await put("[]", "application/vnd.oci.image.manifest.v1+json"), 400, "MANIFEST_INVALID");
    ociError(
      await put(Buffer.from([0xff, 0xfe, 0x7b, 0x7d]), "application/vnd.oci.image.manifest.v1+json"),
      400,
      "MANIFEST_INVALID",
    );
    const valid = JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha("nope"), size: 4 },
      layers: [],
    });
    ociError(await put(valid, "text/plain"), 400, "MANIFEST_INVALID");
    ociError(
      await put(valid, "application/vnd.docker.distribution.manifest.v2+json"),
      400,
      "MANIFEST_INVALID",
    );
    ociError(await put(valid, "application/vnd.oci.image.manifest.v1+json"), 400, [
      "MANIFEST_BLOB_UNKNOWN",
      "BLOB_UNKNOWN",
    ]);
    ociError(
      await put(
        valid.replace('"schemaVersion":2', '"schemaVersion":"2"'),
        "application/vnd.oci.image.manifest.v1+json",
      ),
      400,
      "MANIFEST_INVALID",
    );
    const big = Buffer.alloc(65 * 1024, 0x20);
    ociError(await put(big, "application/vnd.oci.image.manifest.v1+json"), 413, "MANIFEST_INVALID");
    ociError(
      await put(valid, "application/vnd.oci.image.manifest.v1+json", `sha256:${"0".repeat(64)}`),
      400,
      ["DIGEST_INVALID", "MANIFEST_BLOB_UNKNOWN", "BLOB_UNKNOWN"],
    );
    ociError(await send("GET", `/v2/${REPO}/manifests/bad`, auth()), 404, "MANIFEST_UNKNOWN");
  });

  test("path traversal and invalid names or references", async () => {
    for (const path of [
      "/v2/../../etc/passwd",
      "/v2/alice/../app/tags/list",
      "/v2/alice/%2e%2e/app/tags/list",
      "/v2/alice/app%00/tags/list",
      "/v2/alice/%C3%28/tags/list",
      "/v2/ALICE/app/tags/list",
      "/v2/alice//app/tags/list",
      `/v2/alice/${"a".repeat(300)}/tags/list`,
    ]) {
      const r = await send("GET", path, auth());
      assert.ok(r.status >= 400 && r.status < 500, `${path} → ${r.status}`);
      if (r.headers["content-type"]?.includes("json")) {
        const code = (JSON.parse(r.body) as { errors: { code: string }[] }).errors[0]!.code;
        assert.ok(
          ["NAME_INVALID", "NAME_UNKNOWN", "UNAUTHORIZED", "DENIED"].includes(code),
          `${path}: ${code}`,
        );
      }
    }
    for (const ref of ["..%2F..%2Fx", "%00", "a%20b", "-lead", ".".repeat(200)]) {
      const r = await send("GET", `/v2/${REPO}/manifests/${ref}`, auth());
      assert.ok(r.status >= 400 && r.status < 500, `${ref} → ${r.status}`);
    }
  });

  test("uploads: wrong Content-Range, unknown and malformed session ids, size mismatch", async () => {
    const start = await send("POST", `/v2/${REPO}/blobs/uploads/`, auth());
    assert.equal(start.status, 202);
    const loc = start.headers.location!;
    const path = new URL(loc, sys.url).pathname + new URL(loc, sys.url).search;
    for (const range of ["bytes=abc", "0-", "5-9", "10-2", "-1-3"]) {
      const r = await send(
        "PATCH",
        path,
        { ...auth(), "content-range": range, "content-type": "application/octet-stream" },
        "hello",
      );
      ociError(r, 416, ["RANGE_INVALID", "BLOB_UPLOAD_INVALID"]);
    }
    ociError(
      await send("PATCH", `/v2/${REPO}/blobs/uploads/not-a-uuid`, auth(), "x"),
      404,
      "BLOB_UPLOAD_UNKNOWN",
    );
    ociError(
      await send("PATCH", `/v2/${REPO}/blobs/uploads/00000000-0000-4000-8000-000000000000`, auth(), "x"),
      404,
      "BLOB_UPLOAD_UNKNOWN",
    );
    // A final PUT whose bytes do not match the digest: refused, and the blob never appears.
    const fin = await send(
      "PUT",
      `${path}${path.includes("?") ? "&" : "?"}digest=${sha("hello")}`,
      auth(),
      "hellp",
    );
    ociError(fin, 400, ["SIZE_INVALID", "DIGEST_INVALID"]);
    assert.equal((await send("HEAD", `/v2/${REPO}/blobs/${sha("hello")}`, auth())).status, 404);
  });

  test("paging parameters", async () => {
    for (const q of ["n=-1", "n=abc", "n=1e9", "n=99999999999"]) {
      const r = await send("GET", `/v2/${REPO}/tags/list?${q}`, auth());
      ociError(r, 400, "PAGINATION_NUMBER_INVALID");
    }
  });

  test("a body cut short by the client leaves nothing behind, and the server stays up", async () => {
    const u = new URL(sys.url);
    const content = Buffer.alloc(1024 * 1024, 7);
    await new Promise<void>((resolve) => {
      const sock = net.connect(Number(u.port), u.hostname, () => {
        sock.write(
          `PUT /v2/${REPO}/blobs/uploads/?digest=${sha(content)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
            `Content-Type: application/octet-stream\r\nContent-Length: ${content.length}\r\n\r\n`,
        );
        sock.write(content.subarray(0, 100_000));
        setTimeout(() => sock.destroy(), 200);
      });
      sock.on("close", () => resolve());
      sock.on("error", () => resolve());
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await send("HEAD", `/v2/${REPO}/blobs/${sha(content)}`, auth())).status, 404);
  });

  test("huge headers and garbage request lines get a 4xx from the HTTP layer", async () => {
    const r = await send("GET", "/v2/", { "x-big": "a".repeat(100_000) });
    assert.equal(r.status, 431);
    const u = new URL(sys.url);
    const reply = await new Promise<string>((resolve) => {
      const sock = net.connect(Number(u.port), u.hostname, () =>
        sock.write("GARBAGE\x00\x01 / HTTP/9.9\r\n\r\n"),
      );
      let data = "";
      sock.on("data", (d) => (data += d.toString()));
      sock.on("close", () => resolve(data));
      sock.on("error", () => resolve(data));
    });
    assert.match(reply, /^HTTP\/1\.1 400/);
  });
});

describe("token endpoint malformed input", () => {
  test("bad scopes, bad Basic headers and huge values are refused without errors", async () => {
    const q = (params: string, headers: Record<string, string> = {}) =>
      send("GET", `/v2/auth?${params}`, headers);
    const good = basic("alice", "password-123");
    for (const [params, headers, status] of [
      [`service=${sys.host}&scope=repository:alice/app:pull`, { authorization: good }, 200],
      [`service=${sys.host}&scope=repository:alice/app`, { authorization: good }, 200],
      [`service=${sys.host}&scope=${"x".repeat(5000)}`, { authorization: good }, 200],
      [`service=${sys.host}&scope=repository:../../etc:pull`, { authorization: good }, 200],
      [`service=${sys.host}&scope=%ZZ`, { authorization: good }, 200],
      [`service=${sys.host}`, { authorization: "Basic !!!notbase64" }, 401],
      [`service=${sys.host}`, { authorization: "Basic " + Buffer.from("nocolon").toString("base64") }, 401],
      [`service=${sys.host}`, { authorization: basic("alice", "wrong") }, 401],
      [`service=${sys.host}`, { authorization: basic("a".repeat(10_000), "x") }, 401],
      [`service=${sys.host}`, { authorization: "Digest abc" }, 401],
    ] as const) {
      const r = await q(params, headers as Record<string, string>);
      assert.ok(r.status < 500, `${params} → ${r.status}`);
      if (status === 200) {
        assert.equal(r.status, 200);
        const claims = JSON.parse(
          Buffer.from((JSON.parse(r.body) as { token: string }).token.split(".")[1]!, "base64url").toString(),
        );
        // Unparseable or invalid scopes grant nothing; the valid one grants what alice holds.
        const granted = claims.access.filter((a: { actions: string[] }) => a.actions.length > 0);
        const wanted = params.endsWith("repository:alice/app:pull") ? 1 : 0;
        assert.equal(granted.length, wanted, `${params.slice(0, 80)}: ${JSON.stringify(claims.access)}`);
      } else assert.equal(r.status, status, `${params}`);
    }
  });
});

describe("/graphql malformed input", () => {
  const post = (
    body: string | Buffer,
    headers: Record<string, string> = { "content-type": "application/json" },
  ) => send("POST", "/graphql", headers, body);
  const code = (r: Reply) =>
    (JSON.parse(r.body) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code;

  test("invalid JSON, wrong shapes, syntax and validation errors, wrong variable types", async () => {
    let r = await post("{not json");
    assert.equal(r.status, 400);
    r = await post(JSON.stringify({ query: 42 }));
    assert.equal(r.status, 400);
    r = await post(JSON.stringify({ query: "{ system { title " }));
    assert.equal(r.status, 400);
    assert.equal(code(r), "GRAPHQL_PARSE_FAILED");
    r = await post(JSON.stringify({ query: "{ nope }" }));
    assert.equal(r.status, 400);
    assert.equal(code(r), "GRAPHQL_VALIDATION_FAILED");
    r = await post(
      JSON.stringify({
        query: "query($n:Int){ repositories(first:$n){ totalCount } }",
        variables: { n: "ten" },
      }),
    );
    assert.equal(r.status, 400);
    assert.equal(code(r), "BAD_USER_INPUT");
    r = await post(JSON.stringify({ query: `{ repository(namespace:"${"\u0000"}",name:"x"){ name } }` }));
    assert.ok(r.status < 500);
    r = await post(
      Buffer.concat([
        Buffer.from('{"query":"{ system { title } }","x":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}'),
      ]),
    );
    assert.ok(r.status < 500, `invalid UTF-8 → ${r.status}`);
  });

  test("oversized bodies, deep nesting and CSRF-unsafe requests", async () => {
    let r = await post(JSON.stringify({ query: `{ system { title } }`, pad: "x".repeat(2 * 1024 * 1024) }));
    assert.equal(r.status, 413);
    const deep = "{ viewer { organizations { teams { members { name } } } } }".repeat(1);
    r = await post(JSON.stringify({ query: deep }));
    assert.equal(r.status, 200);
    const nested = "{".repeat(5000) + "}".repeat(5000);
    r = await post(JSON.stringify({ query: nested }));
    assert.ok(r.status >= 400 && r.status < 500, `deep → ${r.status}`);
    r = await send("GET", "/graphql?query=%7B__typename%7D");
    assert.equal(r.status, 400); // a simple GET without a preflight header is refused (CSRF prevention)
    r = await post("query=x", { "content-type": "application/x-www-form-urlencoded" });
    assert.ok(r.status >= 400 && r.status < 500);
  });
});

describe("afterwards", () => {
  test("the server is alive, answered no 5xx, and the good image still pulls", async () => {
    assert.equal((await send("GET", "/health/live")).status, 200);
    const metrics = (await send("GET", "/metrics")).body;
    const fives = metrics.split("\n").filter((l) => /status="5\d\d"/.test(l) && !l.startsWith("#"));
    assert.deepEqual(fives, []);
    assert.ok(![...tally.byStatus.keys()].some((s) => s >= 500));
    const m = await send("GET", `/v2/${REPO}/manifests/v1`, {
      ...auth(),
      accept: "application/vnd.oci.image.manifest.v1+json",
    });
    assert.equal(m.status, 200);
  });
});
