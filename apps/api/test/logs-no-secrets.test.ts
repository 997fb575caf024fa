// Passwords and tokens never reach the logs: the real server runs at the most verbose level while people
// sign up, log in (right and wrong), change passwords, and clients log in to the registry.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ChildServer } from "./child-server.js";
import { basic } from "./harness.js";

let server: ChildServer;
before(async () => {
  server = await ChildServer.create({ LOG_LEVEL: "trace" });
  await server.start();
});
after(async () => server?.destroy());

const SECRETS = ["Sekret-Pass-1", "Wrong-Pass-2", "Newer-Pass-3"];

async function gql(query: string, variables: Record<string, unknown>, cookie?: string) {
  const r = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return {
    cookie: r.headers.get("set-cookie")?.split(";")[0],
    body: (await r.json()) as { errors?: unknown[] },
  };
}

test("no password or token appears in the server's output", async () => {
  const up = await gql(
    `mutation($p:String!){ signUp(username:"logtest",email:"l@example.com",password:$p){ username } }`,
    { p: SECRETS[0] },
  );
  assert.equal(up.body.errors, undefined);
  const bad = await gql(`mutation($p:String!){ login(username:"logtest",password:$p){ username } }`, {
    p: SECRETS[1],
  });
  assert.ok(bad.body.errors);
  const good = await gql(`mutation($p:String!){ login(username:"logtest",password:$p){ username } }`, {
    p: SECRETS[0],
  });
  assert.equal(good.body.errors, undefined);
  await gql(
    `mutation($a:String!,$b:String!){ changePassword(currentPassword:$a,newPassword:$b) }`,
    { a: SECRETS[0], b: SECRETS[2] },
    good.cookie,
  );
  const robot = await gql(`mutation{ createRobot(namespace:"logtest",name:"bot"){ name } }`, {}, good.cookie);
  assert.equal(robot.body.errors, undefined);
  const creds = await gql(`{ robot(name:"logtest+bot"){ credentials{ token } } }`, {}, good.cookie);
  const robotToken = (creds.body as any).data.robot.credentials.token as string;
  for (const [u, p] of <[string, string][]>[
    ["logtest", SECRETS[2]!],
    ["logtest", SECRETS[1]!],
    ["logtest+bot", robotToken],
  ]) {
    const q = new URLSearchParams({
      service: server.env.SERVER_HOSTNAME!,
      scope: "repository:logtest/app:pull,push",
    });
    await fetch(`${server.url}/v2/auth?${q}`, { headers: { authorization: basic(u!, p) } });
    await fetch(`${server.url}/v2/`, { headers: { authorization: basic(u!, p) } });
  }
  await new Promise((r) => setTimeout(r, 300)); // let the logger flush
  assert.ok(server.output.includes('"msg":"request"'), "the server logged the requests");
  for (const secret of [...SECRETS, robotToken, good.cookie!.split("=")[1]!])
    assert.ok(!server.output.includes(secret), `a secret leaked into the logs: ${secret.slice(0, 4)}…`);
});
