// With FEATURE_SECURITY_SCANNER off (the default, as in Quay) a push queues no scan, Quay's security endpoint
// is not there, and GraphQL's summaries are null.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { RegistryClient } from "../registry-client.js";
import { RestWorld } from "../rest/client.js";

const world = RestWorld.forFile();
let owner: Awaited<ReturnType<RestWorld["user"]>>;
let digest = "";

before(async () => {
  await world.start();
  owner = await world.user("scanoff");
  digest = (
    await new RegistryClient(world.sys, [owner.name, owner.password]).pushImage(`${owner.name}/app`, "v1")
  ).digest;
});

test("a push queues no scan and the security endpoint answers 404", async () => {
  assert.equal(await world.sys.db.jobRecord.count({ where: { queue: "scan" } }), 0);
  assert.equal(
    await world.sys.db.jobRecord.count({ where: { queue: "notifications", name: "repo_push" } }),
    0,
  );
  const r = await owner.rest.expect(404, "GET", `/repository/${owner.name}/app/manifest/${digest}/security`);
  assert.match(r.error_message ?? r.message ?? JSON.stringify(r), /not enabled/);
});

test("GraphQL: the tag's security and the report are null; the feature reads false", async () => {
  const { body: q } = await owner.gql.raw(
    `query($ns: String!, $d: String!) { system { features { securityScanner } }
      repository(namespace: $ns, name: "app") { tag(name: "v1") { securityStatus security { status } }
        manifestSecurity(digest: $d) { status } } }`,
    { ns: owner.name, d: digest },
  );
  assert.equal(q.errors, undefined, JSON.stringify(q.errors));
  assert.equal(q.data.system.features.securityScanner, false);
  assert.deepEqual(q.data.repository, {
    tag: { securityStatus: null, security: null },
    manifestSecurity: null,
  });
});
