// The discovery document against the route table it is generated from, and the contract checker that every
// REST test runs its answers through (shown here to catch what it must catch).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Ajv } from "ajv";
import { OAUTH_SCOPES } from "../../src/access/authz.js";
import { REST_ROUTES } from "../../src/rest/routes/index.js";
import { RestWorld } from "./client.js";

const w = RestWorld.forFile();

describe("the discovery document", () => {
  test("lists every route of the table with its method, and nothing else", async () => {
    const doc = w.contract.doc as any;
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item as object)
        .filter((k) => ["get", "put", "post", "delete"].includes(k))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const served = REST_ROUTES.map((r) => `${r.method.toUpperCase()} /api/v1${r.path}`);
    assert.deepEqual([...documented].sort(), [...served].sort());
    assert.ok(served.length >= 90, `${served.length} routes`);
  });

  test("each operation has a unique operationId, its path parameters, known scopes and a success schema", async () => {
    const doc = w.contract.doc as any;
    const ids = new Set<string>();
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      const params = [...path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]);
      assert.deepEqual(
        item.parameters.map((p: { name: string }) => p.name),
        params,
        path,
      );
      for (const [method, op] of Object.entries<any>(item)) {
        if (!["get", "put", "post", "delete"].includes(method)) continue;
        assert.ok(!ids.has(op.operationId), `duplicate ${op.operationId}`);
        ids.add(op.operationId);
        assert.ok(op.description, op.operationId);
        for (const s of op.security ?? [])
          for (const scope of s.oauth2_implicit) assert.ok(OAUTH_SCOPES.includes(scope));
        const success = Object.keys(op.responses).filter((c) => c.startsWith("2"));
        assert.equal(success.length, 1, op.operationId);
        if (success[0] !== "204")
          assert.ok(op.responses[success[0]!].schema, `${op.operationId} has a response schema`);
        assert.equal(op.responses["400"].schema.$ref, "#/definitions/ApiError");
      }
    }
  });

  test("every definition is a JSON Schema a validator compiles; bodies refuse unknown fields", async () => {
    const doc = w.contract.doc as any;
    const ajv = new Ajv({ strict: false });
    for (const [name, schema] of Object.entries<object>(doc.definitions))
      assert.ok(ajv.compile(schema), name);
    const createRepo = doc.definitions.CreateRepoRequest;
    assert.equal(createRepo.additionalProperties, false);
    assert.deepEqual([...createRepo.required].sort(), ["repository", "visibility"]);
  });
});

describe("the contract checker", () => {
  test("refuses an answer from a path the document lacks, an undeclared status and a body off its schema", () => {
    const c = w.contract;
    assert.match(c.check("GET", "/api/v1/nowhere", 200, {})[0]!, /no operation/);
    assert.match(c.check("GET", "/api/v1/user/", 418, {})[0]!, /not declared/);
    assert.match(c.check("GET", "/api/v1/user/", 200, { username: 7 })[0]!, /getLoggedInUser 200/);
    assert.match(c.check("GET", "/api/v1/user/", 401, { error: "x" })[0]!, /required property/);
    assert.match(c.check("DELETE", "/api/v1/repository/a/b", 204, { x: 1 })[0]!, /204 with a body/);
    assert.deepEqual(c.check("DELETE", "/api/v1/repository/a/b/c", 204, null), []);
  });

  test("matches paths as the server does: the most literal route first, repository names with slashes", () => {
    const c = w.contract;
    assert.equal(c.operation("GET", "/api/v1/repository/ns/a/b/tag/")?.operationId, "listRepoTags");
    assert.equal(c.operation("GET", "/api/v1/repository/ns/a/b")?.operationId, "getRepo");
    assert.equal(
      c.operation("GET", "/api/v1/repository/ns/a/permissions/user/")?.operationId,
      "listRepoUserPermissions",
    );
    assert.equal(
      c.operation("PUT", "/api/v1/repository/ns/a/permissions/user/bob")?.operationId,
      "changeUserPermissions",
    );
  });
});
