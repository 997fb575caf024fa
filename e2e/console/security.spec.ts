// Security scanning in the browser: the vulnerability database is imported with the admin command
// (`node apps/api/dist/scanning/cli.js import FILE`, against the server global-setup started), an image made
// of this machine's real dpkg stanzas is pushed by digest and tagged through GraphQL (no push event, so no
// scan: the Tags view shows "Queued"), then pushed by tag (the push queues the scan) and the same row turns
// into counts without a reload. The tag page's Security Report lists both advisories, filters them (only
// fixable, text) and the Packages tab lists the packages.
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { request, type APIRequestContext } from "@playwright/test";
import tar from "tar-stream";
import { screenshot } from "./artifacts.js";
import { baseURL, expect, registryHost, test } from "./fixtures.js";
import { AddTagDocument, CreateRepositoryDocument } from "@hm/schema";
import { ZLIB_CVE as ZLIB_RECORD, opensslCve } from "../../apps/api/test/scanning/scan-fixtures.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const sha256 = (b: Buffer) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;

const OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
`;

// Two stanzas exactly as dpkg wrote them in /var/lib/dpkg/status on a Debian 12 machine.
const ZLIB1G_VERSION = "1:1.2.13.dfsg-1";
const LIBSSL3_VERSION = "3.0.19-1~deb12u2";
const DPKG_STATUS = `Package: libssl3
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 6029
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: ${LIBSSL3_VERSION}
Depends: libc6 (>= 2.34)
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation of the SSL
 and TLS cryptographic protocols for secure communication over the
 Internet.
 .
 It provides the libssl and libcrypto shared libraries.
Homepage: https://www.openssl.org/

Package: zlib1g
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 168
Maintainer: Mark Brown <broonie@debian.org>
Architecture: amd64
Multi-Arch: same
Source: zlib
Version: ${ZLIB1G_VERSION}
Provides: libz1
Depends: libc6 (>= 2.14)
Breaks: libxml2 (<< 2.7.6.dfsg-2), texlive-binaries (<< 2009-12)
Conflicts: zlib1 (<= 1:1.0.4-7)
Description: compression library - runtime
 zlib is a library implementing the deflate compression method found
 in gzip and PKZIP.  This package includes the shared library.
Homepage: http://zlib.net/
`;

const ZLIB_CVE = ZLIB_RECORD.id;
const OPENSSL_CVE = opensslCve("").id;
// The fix is set one Debian revision above the installed libssl3 for the test, so the record affects it and
// is fixable ("Fixed in version" shows it). zlib's range is open: affected, not fixable.
const OPENSSL_FIXED = "3.0.19-1~deb12u3";

/** Debian's OSV records (ecosystem Debian:12, by source package), with CVSS vectors: 9.8 and 5.9. */
const RECORDS = [
  ZLIB_RECORD,
  {
    ...opensslCve(OPENSSL_FIXED),
    severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N" }],
  },
];

/** A layer tar (and its gzip) holding these files. */
async function layer(files: Record<string, string>): Promise<{ tar: Buffer; gzip: Buffer }> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on("data", (c) => chunks.push(c as Buffer));
    pack.on("end", () => resolve());
    pack.on("error", reject);
  });
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, content);
  pack.finalize();
  await done;
  const raw = Buffer.concat(chunks);
  return { tar: raw, gzip: zlib.gzipSync(raw) };
}

/** The admin command's import into the server's own database; it queues the re-match for its workers. */
async function importVulnerabilities(file: string): Promise<string> {
  const env = {
    DATABASE_URL: process.env.HM_E2E_SERVER_DATABASE_URL,
    REDIS_PREFIX: process.env.HM_E2E_SERVER_REDIS_PREFIX,
    DATA_DIR: process.env.HM_E2E_SERVER_DATA_DIR,
  };
  expect(env.DATABASE_URL, "global-setup started the server (HM_E2E_URL was not given)").toBeTruthy();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(ROOT, "apps/api/dist/scanning/cli.js"), "import", file],
    { cwd: ROOT, env: { ...process.env, ...env, NODE_ENV: "production", LOG_LEVEL: "warn" } },
  );
  return stdout;
}

/** Pushes over /v2 with a registry token, as a client does. */
class Registry {
  private constructor(
    private readonly ctx: APIRequestContext,
    private readonly repo: string,
    private readonly token: string,
  ) {}

  static async open(repo: string, username: string, password: string) {
    const ctx = await request.newContext({ baseURL: baseURL() });
    const q = new URLSearchParams({ service: registryHost(), scope: `repository:${repo}:pull,push` });
    const res = await ctx.get(`/v2/auth?${q}`, {
      headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` },
    });
    expect(res.status(), "the registry token").toBe(200);
    return new Registry(ctx, repo, ((await res.json()) as { token: string }).token);
  }

  async blob(content: Buffer): Promise<string> {
    const digest = sha256(content);
    const res = await this.ctx.post(`/v2/${this.repo}/blobs/uploads/?digest=${digest}`, {
      headers: { authorization: `Bearer ${this.token}`, "content-type": "application/octet-stream" },
      data: content,
    });
    expect(res.status(), `blob ${digest}: ${await res.text()}`).toBe(201);
    return digest;
  }

  async manifest(reference: string, bytes: Buffer) {
    const res = await this.ctx.put(`/v2/${this.repo}/manifests/${reference}`, {
      headers: {
        authorization: `Bearer ${this.token}`,
        "content-type": "application/vnd.oci.image.manifest.v1+json",
      },
      data: bytes,
    });
    expect(res.status(), `manifest ${reference}: ${await res.text()}`).toBe(201);
  }

  dispose() {
    return this.ctx.dispose();
  }
}

test.describe("security scanning", () => {
  test("an image tagged without a push shows Queued; its push scans it and the row shows the counts without a reload; the Security Report filters; Packages lists the packages", async ({
    page,
    createUser,
    signIn,
  }, testInfo) => {
    test.setTimeout(180_000);
    const owner = await createUser("scanowner");
    const repo = `${owner.username}/debian`;

    // The vulnerability database first, so that the first scan already matches.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hm-e2e-osv-"));
    const recordsFile = path.join(dir, "debian-12.json");
    fs.writeFileSync(recordsFile, JSON.stringify(RECORDS));
    try {
      const out = await importVulnerabilities(recordsFile);
      const m = /(\d+) added, (\d+) updated, (\d+) unchanged, .* (\d+) invalid/.exec(out);
      expect(m, out).not.toBeNull();
      expect(Number(m![1]) + Number(m![2]) + Number(m![3]), out).toBe(2);
      expect(Number(m![4]), out).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }

    // The image: one gzip layer with os-release and the dpkg status.
    const { tar: rawLayer, gzip } = await layer({
      "etc/os-release": OS_RELEASE,
      "var/lib/dpkg/status": DPKG_STATUS,
    });
    const config = Buffer.from(
      JSON.stringify({
        architecture: "amd64",
        os: "linux",
        rootfs: { type: "layers", diff_ids: [sha256(rawLayer)] },
      }),
    );
    await owner.client.run(CreateRepositoryDocument, {
      namespace: owner.username,
      name: "debian",
      visibility: "private",
    });
    const registry = await Registry.open(repo, owner.username, owner.password);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: {
          mediaType: "application/vnd.oci.image.config.v1+json",
          digest: await registry.blob(config),
          size: config.length,
        },
        layers: [
          {
            mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
            digest: await registry.blob(gzip),
            size: gzip.length,
          },
        ],
      }),
    );
    const digest = sha256(manifest);
    try {
      // By digest: no tag, so no push event and no scan. A tag created through the API is no push either.
      await registry.manifest(digest, manifest);
      await owner.client.run(AddTagDocument, {
        namespace: owner.username,
        repository: "debian",
        tag: "v1",
        digest,
      });

      await signIn(owner);
      await page.goto(`/repository/${repo}`);
      const tags = page.getByRole("grid", { name: "Tags" });
      const row = tags.getByRole("row").filter({ has: page.getByRole("link", { name: "v1", exact: true }) });
      const security = row.locator('td[data-label="Security"]');
      await expect(tags.getByRole("columnheader", { name: "Security" })).toBeVisible();
      await expect(security).toHaveText("Queued");
      await screenshot(page, testInfo, "security-tags-queued");

      // The push by tag queues the scan; the Tags view asks again until the row is no longer queued.
      await page.evaluate(() => ((window as unknown as { hmMarker: string }).hmMarker = "same page"));
      await registry.manifest("v1", manifest);
      await expect(security.getByRole("link", { name: "1 Critical, 1 Medium" })).toBeVisible({
        timeout: 60_000,
      });
      await expect(security).not.toContainText("Queued");
      expect(
        await page.evaluate(() => (window as unknown as { hmMarker?: string }).hmMarker),
        "the counts came without a reload",
      ).toBe("same page");
      await screenshot(page, testInfo, "security-tags-scanned");

      // The Security Report: both advisories, highest severity first.
      await security.getByRole("link", { name: "1 Critical, 1 Medium" }).click();
      await expect(page.getByRole("heading", { name: `${repo}:v1` })).toBeVisible();
      await expect(page.getByRole("tab", { name: "Security Report" })).toHaveAttribute(
        "aria-selected",
        "true",
      );
      const summary = page.getByRole("region", { name: "Security summary" });
      await expect(summary).toContainText(
        "The scanner detected 2 vulnerabilities; patches are available for 1 vulnerability",
      );
      await expect(summary).toContainText("Debian GNU/Linux 12 (bookworm)");
      const vulns = page.getByRole("grid", { name: "Vulnerabilities" });
      const advisory = (id: string) =>
        vulns.getByRole("row").filter({ has: page.locator('td[data-label="Advisory"]', { hasText: id }) });
      await expect(advisory(ZLIB_CVE)).toHaveCount(1);
      await expect(advisory(OPENSSL_CVE)).toHaveCount(1);
      const cells = (id: string) =>
        advisory(id)
          .locator("td[data-label]")
          .evaluateAll((tds) =>
            tds.map((td) => `${td.getAttribute("data-label")}: ${td.textContent?.trim()}`),
          );
      expect(await cells(ZLIB_CVE)).toEqual([
        `Advisory: ${ZLIB_CVE}`,
        "Severity: Critical",
        "Package: zlib1g",
        `Current version: ${ZLIB1G_VERSION}`,
        "Fixed in version: (none)",
      ]);
      expect(await cells(OPENSSL_CVE)).toEqual([
        `Advisory: ${OPENSSL_CVE}`,
        "Severity: Medium",
        "Package: libssl3",
        `Current version: ${LIBSSL3_VERSION}`,
        `Fixed in version: ${OPENSSL_FIXED}`,
      ]);
      const ids = await vulns.locator('td[data-label="Advisory"]').allTextContents();
      expect(ids.map((t) => t.trim())).toEqual([ZLIB_CVE, OPENSSL_CVE]);
      const link = advisory(ZLIB_CVE).getByRole("link", { name: ZLIB_CVE });
      await expect(link).toHaveAttribute(
        "href",
        "https://security-tracker.debian.org/tracker/CVE-2023-45853",
      );
      await expect(link).toHaveAttribute("target", "_blank");
      await expect(link).toHaveAttribute("rel", "noreferrer");
      // A row opens its description and links.
      await expect(vulns.getByText(/MiniZip in zlib through 1\.3/)).toBeHidden();
      await advisory(ZLIB_CVE).getByRole("button", { name: "Details" }).click();
      await expect(vulns.getByText(/MiniZip in zlib through 1\.3/)).toBeVisible();
      await screenshot(page, testInfo, "security-report");

      // Only fixable: zlib's has no fix.
      await page.getByLabel("Only show fixable").check();
      await expect(advisory(ZLIB_CVE)).toHaveCount(0);
      await expect(advisory(OPENSSL_CVE)).toHaveCount(1);
      await page.getByLabel("Only show fixable").uncheck();
      await expect(advisory(ZLIB_CVE)).toHaveCount(1);
      // A text filter: the package name.
      await page.getByLabel("Filter vulnerabilities").fill("zlib");
      await expect(advisory(OPENSSL_CVE)).toHaveCount(0);
      await expect(advisory(ZLIB_CVE)).toHaveCount(1);
      await page.getByLabel("Filter vulnerabilities").fill("nothing-like-this");
      await expect(vulns).toContainText("No vulnerabilities match the filter.");
      await expect(advisory(ZLIB_CVE)).toHaveCount(0);
      // The summary counts the whole image whatever the filter.
      await expect(summary).toContainText("2 vulnerabilities");

      // Packages: every package with its version, vulnerabilities and layer.
      await page.getByRole("tab", { name: "Packages" }).click();
      const packages = page.getByRole("grid", { name: "Packages" });
      const pkg = (name: string) =>
        packages
          .getByRole("row")
          .filter({ has: page.locator(`td[data-label="Package name"]`, { hasText: name }) });
      await expect(pkg("zlib1g")).toContainText(ZLIB1G_VERSION);
      await expect(pkg("zlib1g")).toContainText("1 Critical");
      await expect(pkg("libssl3")).toContainText(LIBSSL3_VERSION);
      await expect(pkg("libssl3")).toContainText("1 Medium");
      await expect(pkg("libssl3")).toContainText("(source openssl)");
      await expect(packages.locator("tbody tr")).toHaveCount(2);
      await expect(pkg("zlib1g").locator('td[data-label="Added by"] code')).toHaveText(
        sha256(gzip).slice("sha256:".length, "sha256:".length + 12),
      );
      await screenshot(page, testInfo, "security-packages");
      await page.getByLabel("Filter packages").fill("ssl");
      await expect(pkg("zlib1g")).toHaveCount(0);
      await expect(pkg("libssl3")).toHaveCount(1);
    } finally {
      await registry.dispose();
    }
  });
});
