// The remote client's pure parts: upstream references, challenges, Link headers, noProxy, Retry-After, backoff.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  bypassesProxy,
  normalizeRegistry,
  parseChallenges,
  parseUpstream,
  upstreamRepository,
} from "../../src/remote/index.js";
import { DEFAULT_RETRY_POLICY, backoffDelay, parseRetryAfter } from "../../src/remote/retry.js";
import { nextLink } from "../../src/remote/session.js";

test("parseUpstream: registry and repository prefix; Docker Hub as Docker clients name it", () => {
  assert.deepEqual(parseUpstream("docker.io/library"), {
    registry: "registry-1.docker.io",
    namespace: "library",
  });
  assert.deepEqual(parseUpstream("docker.io"), { registry: "registry-1.docker.io", namespace: "" });
  assert.deepEqual(parseUpstream("index.docker.io/bitnami"), {
    registry: "registry-1.docker.io",
    namespace: "bitnami",
  });
  assert.deepEqual(parseUpstream("Quay.IO/org/team/"), { registry: "quay.io", namespace: "org/team" });
  assert.deepEqual(parseUpstream("https://127.0.0.1:5000/ns"), {
    registry: "127.0.0.1:5000",
    namespace: "ns",
  });
  assert.deepEqual(parseUpstream("[::1]:5000"), { registry: "[::1]:5000", namespace: "" });
  assert.deepEqual(parseUpstream("localhost:5000"), { registry: "localhost:5000", namespace: "" });
  for (const bad of ["", "quay.io/Upper", "quay.io/a//b", "host:99999", "ho st", "quay.io/-x"])
    assert.throws(() => parseUpstream(bad), TypeError, bad);
  assert.equal(normalizeRegistry("registry.hub.docker.com"), "registry-1.docker.io");
});

test("upstreamRepository: prefix joined; library/ for single names on Docker Hub only", () => {
  assert.equal(upstreamRepository(parseUpstream("docker.io"), "ubuntu"), "library/ubuntu");
  assert.equal(upstreamRepository(parseUpstream("docker.io"), "bitnami/redis"), "bitnami/redis");
  assert.equal(upstreamRepository(parseUpstream("docker.io/library"), "ubuntu"), "library/ubuntu");
  assert.equal(upstreamRepository(parseUpstream("quay.io"), "app"), "app");
  assert.equal(upstreamRepository(parseUpstream("quay.io/org"), "team/app"), "org/team/app");
  assert.throws(() => upstreamRepository(parseUpstream("quay.io"), "../etc"), TypeError);
});

test("parseChallenges: quoted params with commas and escapes, several challenges in one header", () => {
  assert.deepEqual(
    parseChallenges(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull,push"',
    ),
    [
      {
        scheme: "bearer",
        params: {
          realm: "https://auth.docker.io/token",
          service: "registry.docker.io",
          scope: "repository:library/ubuntu:pull,push",
        },
      },
    ],
  );
  assert.deepEqual(
    parseChallenges(['Basic realm="a \\"q\\" b"', "Bearer realm=http://x/t, error=invalid_token"]),
    [
      { scheme: "basic", params: { realm: 'a "q" b' } },
      { scheme: "bearer", params: { realm: "http://x/t", error: "invalid_token" } },
    ],
  );
  assert.deepEqual(parseChallenges(undefined), []);
});

test("nextLink: rel=next among several links, relative and absolute, quoted or not", () => {
  const base = "http://r:5000/v2/ns/app/tags/list?n=2";
  assert.equal(
    nextLink('</v2/ns/app/tags/list?n=2&last=b>; rel="next"', base)?.href,
    "http://r:5000/v2/ns/app/tags/list?n=2&last=b",
  );
  assert.equal(
    nextLink('<https://r/p?1>; rel="prev", <https://r/p?2>; rel=next; title="x"', base)?.href,
    "https://r/p?2",
  );
  assert.equal(nextLink('<https://r/p?1>; rel="prev"', base), undefined);
  assert.equal(nextLink(undefined, base), undefined);
});

test("bypassesProxy: hosts, domain suffixes, ports, CIDRs and *", () => {
  const u = (s: string) => new URL(s);
  assert.equal(bypassesProxy(u("https://quay.io/v2/"), "quay.io"), true);
  assert.equal(bypassesProxy(u("https://cdn.quay.io/v2/"), ".quay.io"), true);
  assert.equal(bypassesProxy(u("https://cdn.quay.io/v2/"), "*.quay.io"), true);
  assert.equal(bypassesProxy(u("https://notquay.io/v2/"), "quay.io"), false);
  assert.equal(bypassesProxy(u("https://r:5000/"), "r:5000"), true);
  assert.equal(bypassesProxy(u("https://r:5001/"), "r:5000"), false);
  assert.equal(bypassesProxy(u("https://r/"), "r:443"), true);
  assert.equal(bypassesProxy(u("http://10.1.2.3:80/"), "192.168.0.0/16, 10.0.0.0/8"), true);
  assert.equal(bypassesProxy(u("http://11.1.2.3/"), "10.0.0.0/8"), false);
  assert.equal(bypassesProxy(u("http://[::1]:5000/"), "[::1]:5000"), true);
  assert.equal(bypassesProxy(u("http://anything/"), "*"), true);
  assert.equal(bypassesProxy(u("http://anything/"), ""), false);
});

test("Retry-After as seconds or an HTTP date; backoff doubles with jitter under its cap", () => {
  assert.equal(parseRetryAfter("3"), 3000);
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now), 10_000);
  assert.equal(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now), 0);
  assert.equal(parseRetryAfter("soon"), undefined);
  assert.equal(parseRetryAfter(undefined), undefined);
  const p = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((a) => [backoffDelay(a, p, () => 0), backoffDelay(a, p, () => 1)]),
    [
      [50, 100],
      [100, 200],
      [200, 400],
      [400, 800],
      [500, 1000],
    ],
  );
});
