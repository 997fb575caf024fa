// Build trigger sources without a database or network: webhook authentication per service, push payloads
// (fixtures in the services' documented forms; expected metadata in fixtures/expected-metadata.json) to
// Quay's trigger metadata, skip rules, branchtag_regex semantics, tag templates, deploy keys checked by the
// real ssh-keygen, config validation, URLs and manual runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TriggerConfig, TriggerMetadata, TriggerService } from "../../src/builds/types.js";
import * as S from "../../src/builds/sources/index.js";
import {
  SOURCES,
  WebhookRefused,
  matchesRef,
  tagsFor,
  type WebhookOutcome,
} from "../../src/builds/sources/index.js";

const fixture = (name: string) => fs.readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url));
const json = (name: string) => JSON.parse(fixture(name).toString("utf8"));
const EXPECTED = json("expected-metadata") as Record<string, TriggerMetadata>;
const SECRETS = { authToken: "TOKEN-4f1c9a", webhookSecret: "hook-secret-77" };
const NO_SECRETS = { authToken: "", webhookSecret: "" };
const CUSTOM: TriggerConfig = { build_source: "git@git.example.com:team/app.git" };
const basic = (user: string, pass: string) => "Basic " + Buffer.from(`${user}:${pass}`).toString("base64");
const hmac = (body: Buffer, key: string) =>
  "sha256=" + crypto.createHmac("sha256", key).update(body).digest("hex");
const req = (body: Buffer | object, headers: Record<string, string> = {}): S.WebhookRequest => ({
  headers: { "content-type": "application/json", ...headers },
  body: Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body)),
});
/** "<status> <message>" of the WebhookRefused that fn throws. */
const refused = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof WebhookRefused) return `${e.status} ${e.message}`;
    throw e;
  }
  return "accepted";
};
const BODY = fixture("github-push");
const denied = (s: TriggerService, headers: Record<string, string>, secrets = SECRETS) =>
  refused(() => SOURCES[s].verify(req(BODY, headers), secrets));
const parse = (s: TriggerService, body: Buffer | object, headers = {}, config: TriggerConfig = CUSTOM) =>
  SOURCES[s].parse(req(body, headers), config);
const skipOf = (o: WebhookOutcome) => (o.kind === "skip" ? o.reason : `built ${o.metadata.ref}`);
const buildOf = (o: WebhookOutcome): TriggerMetadata => {
  if (o.kind === "skip") assert.fail(`skipped: ${o.reason}`);
  return o.metadata;
};

test("verify: Basic $token credentials for every service", () => {
  for (const name of Object.keys(SOURCES) as TriggerService[]) {
    assert.equal(SOURCES[name].name, name);
    assert.equal(denied(name, { authorization: basic("$token", SECRETS.authToken) }), "accepted");
    assert.equal(denied(name, { authorization: basic("%24token", SECRETS.authToken) }), "accepted");
    assert.match(denied(name, { authorization: basic("$token", "nope") }), /^401 .*invalid Basic/);
    assert.match(denied(name, { authorization: basic("admin", SECRETS.authToken) }), /^401 .*invalid Basic/);
    assert.match(denied(name, {}), /^401 .*missing credentials/);
    // An empty stored token must never be satisfiable.
    assert.match(denied(name, { authorization: basic("$token", "") }, NO_SECRETS), /^401 /);
  }
  const titles = Object.values(SOURCES).map((s) => s.title);
  assert.deepEqual(titles, [
    "Custom Git Repository Push",
    "GitHub Repository Push",
    "GitLab Repository Push",
    "Bitbucket Repository Push",
  ]);
});

test("verify: service signatures and tokens, valid / forged / missing", () => {
  const good = hmac(BODY, SECRETS.webhookSecret);
  assert.equal(denied("github", { "x-hub-signature-256": good }), "accepted");
  const forged = [
    hmac(BODY, "other"),
    hmac(Buffer.from("{}"), SECRETS.webhookSecret),
    "sha256=zz",
    "sha1=ab",
  ];
  for (const sig of forged) {
    assert.match(denied("github", { "x-hub-signature-256": sig }), /^401 .*X-Hub-Signature-256/);
  }
  // A valid token does not excuse a forged signature; an HMAC under an empty secret proves nothing; the
  // legacy SHA-1 header is not a credential.
  const both = { authorization: basic("$token", SECRETS.authToken), "x-hub-signature-256": forged[0]! };
  assert.match(denied("github", both), /^401 .*X-Hub-Signature-256/);
  assert.match(denied("github", { "x-hub-signature-256": hmac(BODY, "") }, NO_SECRETS), /^401 /);
  assert.match(denied("github", { "x-hub-signature": good }), /^401 .*missing/);

  assert.equal(denied("gitlab", { "x-gitlab-token": SECRETS.webhookSecret }), "accepted");
  assert.match(denied("gitlab", { "x-gitlab-token": "hook-secret-78" }), /^401 .*X-Gitlab-Token/);
  assert.match(denied("gitlab", { "x-gitlab-token": "" }, NO_SECRETS), /^401 /);

  assert.equal(denied("bitbucket", { "x-hub-signature": good }), "accepted");
  assert.match(denied("bitbucket", { "x-hub-signature": hmac(BODY, "x") }), /^401 .*X-Hub-Signature/);
  assert.match(denied("bitbucket", { "x-hub-signature-256": good }), /^401 .*missing/);

  // Custom git knows no signature: only the URL's credentials count.
  assert.match(denied("custom-git", { "x-hub-signature-256": good }), /^401 .*missing/);
});

test("parse: custom-git seed payload and its refusals", () => {
  assert.deepEqual(parse("custom-git", fixture("custom-git")), {
    kind: "build",
    metadata: EXPECTED["custom-git"],
  });
  const seed = json("custom-git");
  const cases: [object | Buffer, RegExp, Record<string, string>?][] = [
    [{ ...seed, commit: undefined }, /^400 Missing required commit$/],
    [{ ...seed, ref: undefined }, /^400 Missing required ref$/],
    [{ ...seed, default_branch: undefined }, /^400 Missing required default_branch$/],
    [{ ...seed, commit: "xyz1234" }, /^400 .*hexadecimal/],
    [{ ...seed, ref: "main" }, /^400 .*refs\/heads/],
    [{ ...seed, commit_info: { message: "m", date: "d" } }, /^400 Missing required commit_info.url/],
    [{ ...seed, commit_info: { ...seed.commit_info, author: { username: "u" } } }, /commit_info.author.url/],
    [Buffer.from("{not json"), /^400 Invalid JSON/],
    [Buffer.from("[1]"), /^400 .*JSON object/],
    [Buffer.alloc(0), /^400 Missing expected payload/],
    [seed, /^400 Content-Type/, { "content-type": "text/plain" }],
  ];
  for (const [body, message, headers] of cases)
    assert.match(
      refused(() => parse("custom-git", body, headers)),
      message,
    );
  // A hosted service's push shape is accepted too, but the clone URL stays the trigger's own.
  const viaGithub = buildOf(parse("custom-git", BODY));
  assert.deepEqual(viaGithub, { ...EXPECTED["github-push"], git_url: CUSTOM.build_source });
  assert.match(skipOf(parse("custom-git", fixture("github-ping"))), /ping/);
});

test("parse: GitHub push, ping, other events, deletions", () => {
  const push = { "x-github-event": "push" };
  assert.deepEqual(parse("github", BODY, push), { kind: "build", metadata: EXPECTED["github-push"] });
  const form = Buffer.from("payload=" + encodeURIComponent(BODY.toString()));
  const formHeaders = { ...push, "content-type": "application/x-www-form-urlencoded" };
  assert.deepEqual(buildOf(parse("github", form, formHeaders)), EXPECTED["github-push"]);
  assert.match(skipOf(parse("github", fixture("github-ping"), { "x-github-event": "ping" })), /ping/);
  assert.match(skipOf(parse("github", fixture("github-ping"))), /ping/);
  assert.match(skipOf(parse("github", BODY, { "x-github-event": "issues" })), /GitHub issues event/);
  assert.match(skipOf(parse("github", fixture("github-delete"), push)), /feature\/old-base was deleted/);
  // An author who is not the sender: a bare git name as is.
  const other = json("github-push");
  other.head_commit.author = { name: "Mona Lisa", email: "mona@example.com" };
  assert.deepEqual(buildOf(parse("github", other, push)).commit_info?.author, { username: "Mona Lisa" });
  assert.match(
    refused(() => parse("github", { ref: "refs/heads/x" }, push)),
    /^400 Missing required repository/,
  );
});

test("parse: GitLab Push Hook and Tag Push Hook", () => {
  const pushed = parse("gitlab", fixture("gitlab-push"), { "x-gitlab-event": "Push Hook" });
  assert.deepEqual(pushed, { kind: "build", metadata: EXPECTED["gitlab-push"] });
  const tagged = parse("gitlab", fixture("gitlab-tag-push"), { "x-gitlab-event": "Tag Push Hook" });
  assert.deepEqual(tagged, { kind: "build", metadata: EXPECTED["gitlab-tag-push"] });
  const mr = parse("gitlab", fixture("gitlab-push"), { "x-gitlab-event": "Merge Request Hook" });
  assert.match(skipOf(mr), /Merge Request Hook/);
  const deleted = { ...json("gitlab-push"), checkout_sha: null, after: "0".repeat(40), commits: [] };
  assert.match(skipOf(parse("gitlab", deleted)), /refs\/heads\/master was deleted/);
  assert.match(skipOf(parse("gitlab", { ...json("gitlab-push"), object_kind: "issue" })), /GitLab issue/);
  // Someone else's commit: the git author's name, not the pusher.
  const foreign = json("gitlab-push");
  foreign.user_email = "other@example.com";
  assert.deepEqual(buildOf(parse("gitlab", foreign)).commit_info?.author, { username: "John Smith" });
});

test("parse: Bitbucket repo:push", () => {
  const key = { "x-event-key": "repo:push" };
  assert.deepEqual(parse("bitbucket", fixture("bitbucket-push"), key), {
    kind: "build",
    metadata: EXPECTED["bitbucket-push"],
  });
  const tag = json("bitbucket-push");
  tag.push.changes[0].new = { ...tag.push.changes[0].new, type: "tag", name: "v2.1.0" };
  tag.repository.mainbranch = { name: "main" };
  const md = buildOf(parse("bitbucket", tag, key));
  assert.deepEqual([md.ref, md.default_branch], ["refs/tags/v2.1.0", "main"]);
  // Several changes: the last one that leaves a branch or tag behind (a trailing deletion does not count).
  const many = json("bitbucket-push");
  const older = structuredClone(many.push.changes[0]);
  older.new.name = "older";
  many.push.changes = [older, many.push.changes[0], { ...older, new: null }];
  assert.equal(buildOf(parse("bitbucket", many, key)).ref, "refs/heads/main");
  const removed = json("bitbucket-push");
  removed.push.changes[0].new = null;
  assert.match(skipOf(parse("bitbucket", removed, key)), /no branch or tag/);
  const pr = parse("bitbucket", fixture("bitbucket-push"), { "x-event-key": "pullrequest:created" });
  assert.match(skipOf(pr), /pullrequest:created/);
  assert.match(
    refused(() => parse("bitbucket", { push: {} }, key)),
    /^400 Missing required push.changes/,
  );
});

test("skip rules: [skip build] / [build skip] and branchtag_regex", () => {
  const withMessage = (message: string) => {
    const body = json("custom-git");
    body.commit_info.message = message;
    return parse("custom-git", body);
  };
  assert.match(skipOf(withMessage("docs only [skip build]")), /skip the build/);
  assert.match(skipOf(withMessage("[build skip]\n\nwip")), /skip the build/);
  // Quay's test is a case-sensitive substring: these build.
  assert.equal(withMessage("[Skip Build] loud").kind, "build");
  assert.equal(withMessage("skip build").kind, "build");
  const gh = (branchtag_regex: string) => parse("github", BODY, {}, { branchtag_regex });
  assert.match(skipOf(gh("heads/release-.+")), /^ref heads\/main does not match branchtag_regex$/);
  assert.equal(gh("heads/ma.+").kind, "build");
  assert.equal(gh("").kind, "build");
});

test("branchtag_regex: Quay's matches_ref semantics", () => {
  const alt = "(((heads/alpha)|(heads/beta))|(heads/gamma))|(heads/master)"; // from Quay's test_triggerutil
  const table: [string, string, boolean][] = [
    ["refs/heads/master", ".+", true],
    ["refs/heads/master", "heads/.+", true],
    ["refs/heads/slash/branch", "heads/slash/branch", true],
    ["refs/heads/foobar", "heads/master", false],
    ["refs/heads/master", "tags/master", false],
    ["refs/heads/beta", alt, true],
    ["refs/heads/delta", alt, false],
    ["refs/heads/main", "main", false], // anchored at the start: "heads/" is part of the subject
    ["refs/heads/main", ".*main", true],
    ["refs/heads/main", "heads/mai", false], // and the match must cover the whole subject
    ["refs/heads/main", "heads/ma|heads/main", false], // re.match's first alternative wins, as in Quay
    ["refs/heads/main", "heads/main|heads/ma", true],
    ["refs/tags/v1.2", "tags/v[0-9.]+", true],
    ["refs/tags/v1.2", "(?P<kind>tags)/v.*", true],
    ["refs/heads/main", "(?i)HEADS/MAIN", true],
    ["refs/heads/main", "\\Aheads/main\\Z", true],
    ["refs/heads/a]b", "heads/a[]]b", true],
  ];
  for (const [ref, re, want] of table) assert.equal(matchesRef(ref, re), want, `${re} on ${ref}`);
  assert.match(S.checkRegex("heads/(main") ?? "", /^Invalid branchtag_regex/);
  assert.match(S.checkRegex("a".repeat(256)) ?? "", /longer than 255/);
  assert.equal(S.checkRegex("a".repeat(255)), null);
  assert.match(S.checkRegex("(?x) heads") ?? "", /verbose/);
  // A catastrophic pattern is cut off rather than hanging the webhook.
  const slow = "refs/heads/" + "a".repeat(40) + "!";
  const t0 = Date.now();
  assert.equal(S.refMatch(slow, "heads/(a+)+$"), "timeout");
  assert.ok(Date.now() - t0 < 2000);
  const body = { ...json("custom-git"), ref: slow };
  const config = { ...CUSTOM, branchtag_regex: "heads/(a+)+$" };
  assert.match(skipOf(parse("custom-git", body, {}, config)), /took too long/);
});

test("tags: defaults, templates, missing variables, sanitizing, dedupe", () => {
  const md = EXPECTED["github-push"]!;
  assert.deepEqual(tagsFor(md, {}), ["main", "latest"]);
  assert.deepEqual(tagsFor({ ...md, ref: "refs/heads/feature/login" }, {}), ["feature_login"]);
  assert.deepEqual(tagsFor({ ...md, ref: "refs/tags/main" }, {}), ["main"]); // a tag named like the branch
  assert.deepEqual(tagsFor(md, { latest_for_default_branch: false }), ["main"]);
  const off = { default_tag_from_ref: false, latest_for_default_branch: false };
  const all = [
    "${commit_info.short_sha}",
    "${commit_info.date}",
    "${commit_info.author}",
    "${commit_info.committer}",
    "${parsed_ref.branch}",
    "${parsed_ref.name}",
    "${commit}",
    "by-${commit_info.author.username}-${commit_info.short_sha}",
    "${parsed_ref.tag}", // a branch has no tag: dropped
    "x-${no.such.thing}", // dropped
    "${default_branch}-build",
    "",
  ];
  assert.deepEqual(tagsFor(md, { ...off, tag_templates: all }), [
    "0d1a26e",
    "2024-05-02T12_12_02_02_00",
    "octocat",
    "web-flow",
    "main",
    "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c",
    "by-octocat-0d1a26e",
    "main-build",
  ]);
  const onTag = { ...md, ref: "refs/tags/v1.0.0", commit_info: undefined };
  const tagTemplates = ["${parsed_ref.tag}", "${commit_info.author}", "${parsed_ref.branch}"];
  assert.deepEqual(tagsFor(onTag, { tag_templates: tagTemplates }), ["v1.0.0"]);
  const odd = ["-lead", ".dot", "ünï/cødé", "a".repeat(200), "${commit_info.message}"];
  const tags = tagsFor(md, { ...off, tag_templates: odd });
  assert.deepEqual(tags, ["_lead", "_dot", "_n__c_d_", "a".repeat(128), "Update_Dockerfile_base_image"]);
  for (const t of tags) assert.match(t, S.TAG_PATTERN);
  assert.deepEqual(tagsFor(md, { tag_templates: ["${parsed_ref.branch}", "main", "latest"] }), [
    "main",
    "latest",
  ]);
  // Nothing applies: Quay falls back to the short SHA.
  assert.deepEqual(tagsFor(md, off), ["0d1a26e"]);
  assert.deepEqual(S.parseRef("refs/heads/a/b"), { kind: "branch", name: "a/b" });
  assert.deepEqual(S.parseRef("refs/tags/v1"), { kind: "tag", name: "v1" });
  assert.equal(S.parseRef("refs/remotes/origin/x"), null);
  assert.equal(S.parseRef("main"), null);
});

test("deploy key: ssh-keygen derives the same public key from the private key", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hm-deploy-key-"));
  try {
    const keys = [S.generateDeployKey("harbormaster builder\nx"), await S.generateDeployKeyAsync("async")];
    for (const [i, key] of keys.entries()) {
      assert.match(key.privateKey, /^-----BEGIN RSA PRIVATE KEY-----\n/);
      assert.equal(key.publicKey.split("\n").length, 1);
      const [type, blob, ...comment] = key.publicKey.split(" ");
      assert.equal(type, "ssh-rsa");
      assert.equal(comment.join(" "), i === 0 ? "harbormaster builder x" : "async");
      const file = path.join(dir, `key${i}`);
      fs.writeFileSync(file, key.privateKey, { mode: 0o600 });
      const derived = execFileSync("ssh-keygen", ["-y", "-f", file], { encoding: "utf8" }).trim().split(" ");
      assert.deepEqual(derived.slice(0, 2), [type, blob]);
      fs.writeFileSync(file + ".pub", key.publicKey + "\n");
      assert.match(
        execFileSync("ssh-keygen", ["-l", "-f", file + ".pub"], { encoding: "utf8" }),
        /^3072 SHA256:/,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("config validation: normalising and errors", () => {
  const messy = { ...CUSTOM, dockerfile_path: "app//./Dockerfile", context: "app/", hook_id: 1 };
  assert.deepEqual(S.checkTriggerConfig("custom-git", messy), {
    build_source: CUSTOM.build_source,
    dockerfile_path: "/app/Dockerfile",
    context: "/app",
    default_tag_from_ref: true,
    latest_for_default_branch: true,
  });
  const gl = S.checkTriggerConfig("gitlab", { build_source: "group/sub/project", branchtag_regex: "" });
  assert.deepEqual([gl.dockerfile_path, gl.context, gl.branchtag_regex], ["/Dockerfile", "/", undefined]);
  for (const src of [
    "ssh://git@h.example.com:2222/a/b.git",
    "https://h.example.com/a/b.git",
    "git@h:/srv/b.git",
  ]) {
    assert.equal(S.checkTriggerConfig("custom-git", { build_source: src }).build_source, src);
  }
  const gh = (extra: Record<string, unknown>) => ["github", { build_source: "o/r", ...extra }] as const;
  const bad: [readonly [TriggerService, Record<string, unknown>], RegExp][] = [
    [["custom-git", {}], /build_source is required/],
    [["custom-git", { build_source: "file:///etc/repo" }], /scheme file:/],
    [["custom-git", { build_source: "ext::sh -c id" }], /whitespace/],
    [["custom-git", { build_source: "-oProxyCommand=id" }], /start with '-'/],
    [["github", { build_source: "just-a-name" }], /owner\/repository/],
    [["github", { build_source: "../etc" }], /owner\/repository/],
    [gh({ dockerfile_path: "../Dockerfile" }), /inside the source/],
    [gh({ context: "/a/../../b" }), /inside the source/],
    [gh({ dockerfile_path: "/" + "d".repeat(255) }), /longer than 255/],
    [gh({ dockerfile_path: "/" }), /must name a file/],
    [gh({ dockerfile_path: "/web/Dockerfile", context: "/api" }), /outside the context/],
    [gh({ dockerfile_path: "/webapp/Dockerfile", context: "/web" }), /outside the context/],
    [gh({ branchtag_regex: "heads/(" }), /Invalid branchtag_regex/],
    [gh({ default_tag_from_ref: "false" }), /true or false/],
    [gh({ tag_templates: "latest" }), /list of strings/],
    [gh({ tag_templates: Array(21).fill("t") }), /at most 20/],
    [gh({ tag_templates: ["t".repeat(256)] }), /longer than 255/],
    [gh({ tag_templates: [7] }), /non-empty string/],
    [gh({ tag_templates: ["${commit_info[0]}"] }), /invalid variable/],
    [["svn" as TriggerService, { build_source: "o/r" }], /Unknown trigger service/],
  ];
  for (const [[service, config], message] of bad) {
    const ok = (e: unknown) => e instanceof S.TriggerConfigError && message.test(e.message);
    assert.throws(() => S.checkTriggerConfig(service, config), ok, JSON.stringify(config));
  }
  assert.throws(() => S.checkTriggerConfig("github", null), S.TriggerConfigError);
});

test("webhook URL, clone URLs and manual runs", () => {
  const url = S.webhookUrl("https", "quay.example.com", "5b4e0a1c-2c1f", "AB/C+D");
  assert.equal(url, "https://%24token:AB%2FC%2BD@quay.example.com/webhooks/push/trigger/5b4e0a1c-2c1f");
  // What a client does with that URL authenticates.
  const u = new URL(url);
  const auth = basic(decodeURIComponent(u.username), decodeURIComponent(u.password));
  SOURCES["custom-git"].verify(req({}, { authorization: auth }), { authToken: "AB/C+D", webhookSecret: "" });

  const ghPush = EXPECTED["github-push"]!;
  assert.equal(SOURCES["custom-git"].cloneUrl(CUSTOM, ghPush), CUSTOM.build_source);
  const ghe = { ...ghPush, git_url: "git@ghe.corp.example:Octocat/Hello-World.git" };
  assert.equal(SOURCES.github.cloneUrl({ build_source: "octocat/hello-world" }, ghe), ghe.git_url);
  assert.equal(SOURCES.github.cloneUrl({ build_source: "acme/other" }, ghe), "git@github.com:acme/other.git");
  const manual = S.manualMetadata({ commitSha: "0d1a26e67d8f" }, "main");
  assert.deepEqual(manual, { commit: "0d1a26e67d8f", default_branch: "main" });
  const asMd = manual as TriggerMetadata;
  assert.equal(SOURCES.gitlab.cloneUrl({ build_source: "g/s/p" }, asMd), "git@gitlab.com:g/s/p.git");
  assert.equal(
    SOURCES.bitbucket.cloneUrl({ build_source: "acme/app" }, asMd),
    "git@bitbucket.org:acme/app.git",
  );
  assert.deepEqual(tagsFor(manual, {}), ["0d1a26e"]);
  const sha = "abcdef1";
  assert.equal(S.manualMetadata({ commitSha: sha, branchName: "dev" }).ref, "refs/heads/dev");
  assert.equal(S.manualMetadata({ commitSha: sha, tagName: "v1" }).ref, "refs/tags/v1");
  const both = { commitSha: sha, refs: { kind: "tag", name: "v2" }, branchName: "x" } as const;
  assert.equal(S.manualMetadata(both).ref, "refs/tags/v2");
  assert.deepEqual(tagsFor(S.manualMetadata({ commitSha: sha, branchName: "main" }, "main"), {}), [
    "main",
    "latest",
  ]);
  assert.equal(S.determineBuildRef({}, "trunk"), "refs/heads/trunk");
  assert.equal(S.determineBuildRef({}), "refs/heads/master");
  assert.throws(() => S.manualMetadata({ branchName: "main" }), S.ManualRunError);
  assert.throws(() => S.manualMetadata({ commitSha: "not-hex" }), /hexadecimal/);
  assert.throws(() => S.manualMetadata({ commitSha: sha, branchName: "a..b" }), /Invalid branch or tag name/);
});
