// The requests-in-flight gauge background work yields to: quiet at once when idle, when the last request
// ends, or when the wait's bound passes under constant load.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Foreground } from "../src/infra/foreground.js";

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

test("idle: quiet at once; busy: quiet when the last request ends, not before", async () => {
  const f = new Foreground();
  assert.equal(await settled(f.quiet(60_000)), true);
  f.begin();
  f.begin();
  const waiting = f.quiet(60_000);
  assert.equal(await settled(waiting), false);
  f.end();
  assert.equal(await settled(waiting), false, "one request still in flight");
  f.end();
  assert.equal(await settled(waiting), true);
});

test("under constant load the wait ends at its bound", async () => {
  const f = new Foreground();
  f.begin();
  await f.quiet(20); // would hang the test if the bound did not hold
  f.end();
});
