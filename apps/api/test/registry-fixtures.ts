// The world the /v2 suites share: a system of their own per file, users alice and bob, their registry
// clients and an anonymous one.
import { after, before } from "node:test";
import { startTestSystem, type TestSystem } from "./harness.js";
import { RegistryClient } from "./registry-client.js";

export interface RegistryWorld {
  sys: TestSystem;
  alice: RegistryClient;
  bob: RegistryClient;
  anon: RegistryClient;
}

/**
 * Registers the file's before/after hooks; `ready` gets the world at the end of `before` (a second top-level
 * `before` of the test file is not guaranteed to run after this one has finished).
 */
export function registryWorld(ready: (w: RegistryWorld) => void): void {
  const w = {} as RegistryWorld;
  before(async () => {
    w.sys = await startTestSystem();
    for (const u of ["alice", "bob"])
      await w.sys.services.accounts.createUser({
        username: u,
        email: `${u}@example.com`,
        password: `${u}-password`,
      });
    w.alice = new RegistryClient(w.sys, ["alice", "alice-password"]);
    w.bob = new RegistryClient(w.sys, ["bob", "bob-password"]);
    w.anon = new RegistryClient(w.sys);
    ready(w);
  });
  after(async () => w.sys?.stop());
}

/** The first error code of an OCI error answer. */
export const errCode = async (res: Response) =>
  ((await res.json()) as { errors: { code: string }[] }).errors[0]!.code;
