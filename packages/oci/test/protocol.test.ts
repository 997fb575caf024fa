import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  MediaType,
  OciError,
  digestOf,
  isValidRepositoryName,
  isValidTag,
  parseContentRange,
  parseDigest,
  parseManifest,
  parseRange,
} from "../src/index.js";

const D = (s: string) => digestOf(s);
const image = (extra: Record<string, unknown> = {}) =>
  Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: D("c"), size: 1 },
      layers: [{ mediaType: MediaType.OciLayerGzip, digest: D("l"), size: 10 }],
      ...extra,
    }),
  );
const invalid = (fn: () => unknown, code = "MANIFEST_INVALID") =>
  assert.throws(fn, (e: unknown) => e instanceof OciError && e.code === code);

describe("digests", () => {
  test("accepts sha256 and sha512 of exact length, lower-case hex only", () => {
    assert.ok(parseDigest(D("x")));
    assert.ok(parseDigest(digestOf("x", "sha512")));
    for (const bad of [
      "sha256:abc",
      `sha256:${"A".repeat(64)}`,
      `md5:${"a".repeat(32)}`,
      `sha256:${"a".repeat(64)}/../x`,
      "",
      5,
      null,
    ]) {
      assert.equal(parseDigest(bad), null, String(bad));
    }
  });
});

describe("names and tags", () => {
  test("repository names follow the spec grammar, with several components", () => {
    for (const ok of ["a/b", "org/team/app", "my-org/app_1", "a.b/c__d", "x/y-----z"])
      assert.ok(isValidRepositoryName(ok), ok);
    for (const bad of [
      "A/b",
      "a/../b",
      "a//b",
      "/a",
      "a/",
      "a/b/",
      "-a/b",
      "a/b-",
      "a/.b",
      "a/b c",
      "a/%2e%2e",
    ])
      assert.ok(!isValidRepositoryName(bad), bad);
  });
  test("tags", () => {
    assert.ok(isValidTag("v1.0_rc-2"));
    assert.ok(isValidTag("_x"));
    assert.ok(!isValidTag(".x"));
    assert.ok(!isValidTag("-x"));
    assert.ok(!isValidTag("a".repeat(129)));
    assert.ok(!isValidTag("../x"));
  });
});

describe("ranges", () => {
  test("Content-Range for PATCH", () => {
    assert.deepEqual(parseContentRange("0-99"), { start: 0, end: 99 });
    assert.deepEqual(parseContentRange("bytes 5-9"), { start: 5, end: 9 });
    assert.equal(parseContentRange(undefined), undefined);
    assert.throws(
      () => parseContentRange("9-5"),
      (e: OciError) => e.status === 416,
    );
    assert.throws(
      () => parseContentRange("abc"),
      (e: OciError) => e.status === 416,
    );
  });
  test("Range for GET", () => {
    assert.deepEqual(parseRange("bytes=0-9", 100), { start: 0, end: 9 });
    assert.deepEqual(parseRange("bytes=90-", 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange("bytes=-10", 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange("bytes=50-500", 100), { start: 50, end: 99 });
    assert.equal(parseRange("bytes=100-", 100), null);
    assert.equal(parseRange("items=0-1", 100), null);
    assert.equal(parseRange(undefined, 100), undefined);
  });
});

describe("manifests", () => {
  test("OCI image manifest: blobs, size, digest of the exact bytes", () => {
    const bytes = image();
    const m = parseManifest(bytes, MediaType.OciManifest);
    assert.equal(m.kind, "image");
    assert.equal(m.digest, digestOf(bytes));
    assert.deepEqual(m.blobDigests, [D("c"), D("l")]);
    assert.equal(m.layersSize, 10);
  });
  test("artifact with artifactType, empty config and subject", () => {
    const subject = { mediaType: MediaType.OciManifest, digest: D("s"), size: 5 };
    const m = parseManifest(
      image({
        artifactType: "application/vnd.example",
        subject,
        config: { mediaType: MediaType.OciEmpty, digest: D("{}"), size: 2 },
      }),
    );
    assert.equal(m.artifactType, "application/vnd.example");
    assert.equal(m.subject?.digest, D("s"));
  });
  test("index and Docker manifest list", () => {
    const idx = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OciIndex,
        manifests: [
          {
            mediaType: MediaType.OciManifest,
            digest: D("a"),
            size: 3,
            platform: { os: "linux", architecture: "arm64" },
          },
        ],
      }),
    );
    const m = parseManifest(idx, MediaType.OciIndex);
    assert.equal(m.kind, "index");
    assert.equal(m.manifests[0]?.platform?.architecture, "arm64");
    const list = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: MediaType.DockerManifestList, manifests: [] }),
    );
    assert.equal(parseManifest(list, MediaType.DockerManifestList).kind, "index");
  });
  test("Docker schema 2 requires layers", () => {
    const doc = {
      schemaVersion: 2,
      mediaType: MediaType.DockerManifest,
      config: { mediaType: MediaType.DockerConfig, digest: D("c"), size: 1 },
      layers: [],
    };
    invalid(() => parseManifest(Buffer.from(JSON.stringify(doc)), MediaType.DockerManifest));
  });
  test("schema 1 signed: digest of the JWS payload, blobSums as blobs", () => {
    const payload = JSON.stringify(
      {
        schemaVersion: 1,
        name: "a/b",
        tag: "v1",
        architecture: "amd64",
        fsLayers: [{ blobSum: D("l") }],
        history: [{ v1Compatibility: "{}" }],
      },
      null,
      3,
    );
    const formatLength = payload.length - 2; // everything before the final "\n}"
    const tail = payload.slice(formatLength);
    const protectedHeader = Buffer.from(
      JSON.stringify({ formatLength, formatTail: Buffer.from(tail).toString("base64url") }),
    ).toString("base64url");
    const signed = `${payload.slice(0, formatLength)},\n   "signatures": [{"header":{},"signature":"x","protected":"${protectedHeader}"}]${tail}`;
    const m = parseManifest(Buffer.from(signed), MediaType.DockerSchema1Signed);
    assert.equal(m.kind, "schema1");
    assert.equal(m.digest, digestOf(payload));
    assert.deepEqual(m.blobDigests, [D("l")]);
  });
  test("bad input is MANIFEST_INVALID, never a crash", () => {
    invalid(() => parseManifest(Buffer.from("{nope")));
    invalid(() => parseManifest(Buffer.from("[1,2]")));
    invalid(() => parseManifest(Buffer.from([0xff, 0xfe, 0x7b, 0x7d])));
    invalid(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 3 }))));
    invalid(() => parseManifest(image({ layers: [{ mediaType: "x/y", digest: "sha256:zz", size: 1 }] })));
    invalid(() => parseManifest(image({ layers: [{ mediaType: "x/y", digest: D("a"), size: -1 }] })));
    invalid(() => parseManifest(image({ annotations: { a: 1 } })));
    invalid(() => parseManifest(image(), MediaType.OciIndex), "MANIFEST_INVALID");
    invalid(() =>
      parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/x-unknown" }))),
    );
  });
});
