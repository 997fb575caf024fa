// Passwords and tokens never reach the logs: the real server runs at the most verbose level while people
// sign up, log in (right and wrong), change passwords, and clients log in to the registry.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ChangePasswordDocument,
  CreateRobotDocument,
  LoginDocument,
  RobotCredentialsDocument,
} from "@hm/schema";
import { ChildServer } from "./child-server.js";
import { GqlSession, signUp } from "./gql-client.js";
import { basic } from "./harness.js";

let server: ChildServer;
before(async () => {
  server = await ChildServer.create({ LOG_LEVEL: "trace" });
  await server.start();
});
after(async () => server?.destroy());

const SECRETS = ["Sekret-Pass-1", "Wrong-Pass-2", "Newer-Pass-3"];

test("no password or token appears in the server's output", async () => {
  await signUp(server, "logtest", SECRETS[0]!);
  const s = new GqlSession(server);
  await s.fails(LoginDocument, { username: "logtest", password: SECRETS[1]! });
  await s.login("logtest", SECRETS[0]!);
  const sessionCookie = s.cookie!;
  await s.ok(ChangePasswordDocument, { currentPassword: SECRETS[0]!, newPassword: SECRETS[2]! });
  await s.ok(CreateRobotDocument, { namespace: "logtest", name: "bot" });
  const robotToken = (await s.ok(RobotCredentialsDocument, { name: "logtest+bot" })).robot.credentials.token;
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
  for (const secret of [...SECRETS, robotToken, sessionCookie.split("=")[1]!])
    assert.ok(!server.output.includes(secret), `a secret leaked into the logs: ${secret.slice(0, 4)}…`);
});
