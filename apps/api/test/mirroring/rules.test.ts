// The schedule's pure rules: when a sync is due, what the periodic look does, retries, and Quay's globs.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  matchTags,
  MAX_SYNC_RETRIES,
  nextSyncAt,
  retriesAfter,
  scheduleAction,
  type ScheduleFacts,
} from "../../src/mirroring/rules.js";

const T0 = new Date("2026-01-01T00:00:00Z");
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const facts = (o: Partial<ScheduleFacts> = {}): ScheduleFacts => ({
  isEnabled: true,
  syncStatus: "NEVER_RUN",
  syncInterval: 600,
  syncStartDate: T0,
  syncExpirationDate: null,
  syncRetriesRemaining: MAX_SYNC_RETRIES,
  lastSyncAt: null,
  ...o,
});

describe("nextSyncAt and scheduleAction", () => {
  test("the start date first, then one interval after each sync's start; a later start date wins", () => {
    assert.deepEqual(nextSyncAt(facts()), T0);
    assert.equal(scheduleAction(facts(), at(-1)), "none");
    assert.equal(scheduleAction(facts(), T0), "queue");
    const synced = facts({ syncStatus: "SUCCESS", lastSyncAt: at(10) });
    assert.deepEqual(nextSyncAt(synced), at(610));
    assert.equal(scheduleAction(synced, at(609)), "none");
    assert.equal(scheduleAction(synced, at(610)), "queue");
    assert.deepEqual(nextSyncAt({ ...synced, syncStartDate: at(5000) }), at(5000));
  });

  test("a failure with retries left is retried at once; with none, after the interval", () => {
    assert.deepEqual(
      nextSyncAt(facts({ syncStatus: "FAIL", lastSyncAt: at(10), syncRetriesRemaining: 2 })),
      at(10),
    );
    assert.deepEqual(
      nextSyncAt(facts({ syncStatus: "FAIL", lastSyncAt: at(10), syncRetriesRemaining: 0 })),
      at(610),
    );
    assert.equal(retriesAfter("FAIL", 3), 2);
    assert.equal(retriesAfter("FAIL", 0), 0);
    assert.equal(retriesAfter("SUCCESS", 0), MAX_SYNC_RETRIES);
    assert.equal(retriesAfter("CANCEL", 1), 1);
  });

  test("disabled and cancelled mirrors are not scheduled; queued and running ones wait for their lease", () => {
    assert.equal(nextSyncAt(facts({ isEnabled: false })), null);
    assert.equal(scheduleAction(facts({ syncStatus: "CANCEL" }), at(10_000)), "none");
    assert.equal(
      scheduleAction(facts({ syncStatus: "SYNC_NOW", syncExpirationDate: at(60) }), at(59)),
      "none",
    );
    assert.equal(
      scheduleAction(facts({ syncStatus: "SYNC_NOW", syncExpirationDate: at(60) }), at(60)),
      "requeue",
    );
    assert.equal(
      scheduleAction(facts({ syncStatus: "SYNCING", syncExpirationDate: at(30) }), at(29)),
      "none",
    );
    assert.equal(
      scheduleAction(facts({ syncStatus: "SYNCING", syncExpirationDate: at(30) }), at(31)),
      "take_over",
    );
    // A running sync's claim is taken over even when the mirror was disabled meanwhile.
    assert.equal(
      scheduleAction(facts({ isEnabled: false, syncStatus: "SYNCING", syncExpirationDate: at(1) }), at(2)),
      "take_over",
    );
  });
});

describe("matchTags (Quay's fnmatch)", () => {
  const tags = ["latest", "v1", "v1.0", "v1.10", "v2", "dev-2024", "sha256-ab12.sig", "!x", "{a,b}", "a"];
  const cases: [string[], string[]][] = [
    [["*"], [...tags].sort()],
    [["v1*"], ["v1", "v1.0", "v1.10"]],
    [["v?"], ["v1", "v2"]],
    [["v[12]"], ["v1", "v2"]],
    [["v[!1]"], ["v2"]],
    [["*.sig"], ["sha256-ab12.sig"]],
    [
      ["dev-*", "latest", "latest"],
      ["dev-2024", "latest"],
    ],
    // No negation, braces or extglobs: fnmatch reads them literally.
    [["!x"], ["!x"]],
    [["{a,b}"], ["{a,b}"]],
    [["nothing"], []],
  ];
  for (const [globs, expected] of cases)
    test(`${JSON.stringify(globs)}`, () => assert.deepEqual(matchTags(tags, globs), expected));
});
