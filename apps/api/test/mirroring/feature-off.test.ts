// Without FEATURE_REPO_MIRROR: the mirror API answers 404 (as Quay's show_if), MIRROR is not a state one may
// set, READ_ONLY still is, and the system query says the feature is off.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { GqlSession } from "../gql-client.js";
import { assertQuayError, RestWorld, type Rest } from "../rest/client.js";
import { minimalBody } from "./fixtures.js";

const w = RestWorld.forFile({});
let admin: Rest;
const REPO = "admin/plain";

before(async () => {
  await w.start();
  admin = await w.as("admin", "admin-password");
  await admin.post("/repository", {
    namespace: "admin",
    repository: "plain",
    visibility: "private",
    description: "",
  });
});

test("the mirror API is absent; changestate takes NORMAL and READ_ONLY, not MIRROR", async () => {
  assertQuayError(await admin.call("GET", `/repository/${REPO}/mirror`), 404);
  assertQuayError(
    await admin.call("POST", `/repository/${REPO}/mirror`, { body: minimalBody("quay.io/minio/mc") }),
    404,
  );
  assertQuayError(await admin.call("POST", `/repository/${REPO}/mirror/sync-now`), 404);
  assertQuayError(
    await admin.call("PUT", `/repository/${REPO}/changestate`, { body: { state: "MIRROR" } }),
    400,
    /Unknown Repository State: MIRROR/,
  );
  assert.deepEqual(await admin.put(`/repository/${REPO}/changestate`, { state: "READ_ONLY" }), {
    success: true,
  });
  assert.equal((await admin.get(`/repository/${REPO}`)).state, "READ_ONLY");
  const gql = await new GqlSession(w.sys).login("admin", "admin-password");
  const r = await gql.raw(
    `{ system { features { repoMirror } } repository(namespace: "admin", name: "plain") { mirror { syncStatus } } }`,
  );
  assert.equal(r.body.errors, undefined, JSON.stringify(r.body.errors));
  assert.deepEqual(r.body.data, {
    system: { features: { repoMirror: false } },
    repository: { mirror: null },
  });
});
