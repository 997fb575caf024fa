// Manifest references through the router: what GET, HEAD, DELETE and PUT answer for references that are
// neither a tag nor a digest, against an in-memory backend that records what it was asked.
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { after, before, describe, test } from "node:test";
import express from "express";
import {
  MediaType,
  createRegistryRouter,
  digestOf,
  type Access,
  type Authenticator,
  type RegistryBackend,
  type StoredManifest,
} from "../src/index.js";

const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: digestOf("c"), size: 1 },
    layers: [],
  }),
);
const stored: StoredManifest = {
  digest: digestOf(manifest),
  mediaType: MediaType.OciManifest,
  bytes: manifest,
};
const asked: string[] = [];

const everything: Access = { subject: "tester", can: () => true };
const auth: Authenticator = { authenticate: async () => everything, challenge: () => 'Bearer realm="x"' };
const refuse = async (): Promise<never> => {
  throw new Error("not used by these tests");
};
const backend: RegistryBackend = {
  getManifest: async (_repo, ref) => {
    asked.push(`get ${ref}`);
    return ref === "v1" || ref === stored.digest ? stored : null;
  },
  putManifest: async (_repo, ref) => {
    asked.push(`put ${ref}`);
    return stored;
  },
  deleteManifest: async (_repo, ref) => {
    asked.push(`delete ${ref}`);
  },
  statBlob: refuse,
  openBlob: refuse,
  deleteBlob: refuse,
  mountBlob: refuse,
  startUpload: refuse,
  appendUpload: refuse,
  uploadStatus: refuse,
  finishUpload: refuse,
  cancelUpload: refuse,
  putBlob: refuse,
  listTags: refuse,
  listReferrers: refuse,
  catalog: refuse,
};

let server: Server;
let base: string;
before(async () => {
  const app = express();
  app.use("/v2", createRegistryRouter({ backend, auth }));
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/ns/app/manifests/`;
});
after(() => server?.close());

const call = async (method: string, ref: string, body?: Buffer) => {
  asked.length = 0;
  const res = await fetch(base + ref, {
    method,
    body: body as BodyInit | undefined,
    headers: body ? { "content-type": MediaType.OciManifest } : {},
  });
  const text = await res.text();
  const error =
    res.status >= 400 && text
      ? (JSON.parse(text) as { errors: { code: string; detail: unknown }[] }).errors[0]
      : undefined;
  return { status: res.status, code: error?.code, detail: error?.detail, asked: [...asked] };
};

// Neither a tag (the spec's grammar: [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}) nor a digest we can verify.
const NAMES_NOTHING = [
  ".INVALID_MANIFEST_NAME", // the conformance suite's "nonexistent manifest"
  "-leading-dash",
  "a".repeat(129),
  "sha256:abc",
  `sha256:${"A".repeat(64)}`,
  `md5:${"0".repeat(32)}`,
];

describe("references that name nothing", () => {
  test("GET and HEAD answer 404 MANIFEST_UNKNOWN without asking the backend", async () => {
    for (const ref of NAMES_NOTHING) {
      const get = await call("GET", encodeURIComponent(ref));
      assert.deepEqual(
        [get.status, get.code, get.detail, get.asked],
        [404, "MANIFEST_UNKNOWN", { reference: ref.slice(0, 140) }, []],
        ref,
      );
      const head = await call("HEAD", encodeURIComponent(ref));
      assert.deepEqual([head.status, head.asked], [404, []], ref);
    }
  });

  test("DELETE answers 404 MANIFEST_UNKNOWN too: such a reference cannot exist", async () => {
    for (const ref of NAMES_NOTHING) {
      const del = await call("DELETE", encodeURIComponent(ref));
      assert.deepEqual([del.status, del.code, del.asked], [404, "MANIFEST_UNKNOWN", []], ref);
    }
  });

  test("PUT still refuses them as the client's error: TAG_INVALID or DIGEST_INVALID, 400", async () => {
    const tag = await call("PUT", ".INVALID_MANIFEST_NAME", manifest);
    assert.deepEqual([tag.status, tag.code, tag.asked], [400, "TAG_INVALID", []]);
    const digest = await call("PUT", "sha256:abc", manifest);
    assert.deepEqual([digest.status, digest.code, digest.asked], [400, "DIGEST_INVALID", []]);
  });
});

describe("valid references reach the backend", () => {
  test("by tag and by digest; an unknown one is the backend's 404", async () => {
    const byTag = await call("GET", "v1");
    assert.deepEqual([byTag.status, byTag.asked], [200, ["get v1"]]);
    const byDigest = await call("HEAD", stored.digest);
    assert.deepEqual([byDigest.status, byDigest.asked], [200, [`get ${stored.digest}`]]);
    const unknown = await call("GET", "_under.score-and.dots");
    assert.deepEqual(
      [unknown.status, unknown.code, unknown.asked],
      [404, "MANIFEST_UNKNOWN", ["get _under.score-and.dots"]],
    );
    const del = await call("DELETE", "v1");
    assert.deepEqual([del.status, del.asked], [202, ["delete v1"]]);
    const put = await call("PUT", "v2", manifest);
    assert.deepEqual([put.status, put.asked], [201, ["put v2"]]);
  });
});
