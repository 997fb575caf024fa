// Test images for the scanner, made of real package data: this machine's own dpkg status stanzas and
// os-release, and Python dist-info folders from /usr/lib/python3/dist-packages, packed into gzip layer tars;
// and OSV records named after real advisories (ids, packages, texts and vectors as published), in OSV's
// format, trimmed to the fields the scanner reads. Where a test needs a range to cover (or end at) this
// machine's version, the record's comment says so: those ranges are the test's, not the advisory's.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import tar from "tar-stream";

/** One file (or a whiteout marker: empty content under `.wh.NAME`) of a layer. */
export type LayerFile = { name: string; content: string | Buffer };

export async function gzipLayer(files: LayerFile[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    const gz = zlib.createGzip();
    pack.pipe(gz);
    gz.on("data", (c: Buffer) => chunks.push(c));
    gz.on("end", () => resolve());
    gz.on("error", reject);
  });
  for (const f of files) pack.entry({ name: f.name, mode: 0o644 }, f.content);
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** This machine's dpkg status stanzas for the named packages (exactly as dpkg wrote them). */
export function dpkgStanzas(packages: string[]): { text: string; versions: Record<string, string> } {
  const all = fs.readFileSync("/var/lib/dpkg/status", "utf8").split(/\n\n+/);
  const versions: Record<string, string> = {};
  const picked = all.filter((s) => {
    const name = /^Package: (.+)$/m.exec(s)?.[1];
    if (!name || !packages.includes(name)) return false;
    versions[name] = /^Version: (.+)$/m.exec(s)![1]!;
    return true;
  });
  for (const p of packages) if (!versions[p]) throw new Error(`${p} is not installed on this machine`);
  return { text: picked.join("\n\n") + "\n", versions };
}

/** A real dist-info folder of this machine's Python (its METADATA file). */
export function distInfo(prefix: string): { dir: string; metadata: string; version: string } {
  const root = "/usr/lib/python3/dist-packages";
  const dir = fs.readdirSync(root).find((d) => d.startsWith(prefix) && d.endsWith(".dist-info"));
  if (!dir) throw new Error(`no ${prefix}*.dist-info under ${root}`);
  const metadata = fs.readFileSync(path.join(root, dir, "METADATA"), "utf8");
  return { dir, metadata, version: /^Version: (.+)$/m.exec(metadata)![1]!.trim() };
}

export const OS_RELEASE = fs.readFileSync("/etc/os-release", "utf8");

export function writeRecords(records: object[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hm-osv-"));
  const file = path.join(dir, "records.json");
  fs.writeFileSync(file, JSON.stringify(records));
  return file;
}

/** MiniZip's integer overflow; an open range here, so it affects this machine's zlib. */
export const ZLIB_CVE = {
  schema_version: "1.6.0",
  id: "DEBIAN-CVE-2023-45853",
  modified: "2024-09-18T03:22:38Z",
  published: "2023-10-14T02:15:09Z",
  upstream: ["CVE-2023-45853"],
  details:
    "MiniZip in zlib through 1.3 has an integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_64 via a long filename, comment, or extra field.",
  severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
  affected: [
    {
      package: { name: "zlib", ecosystem: "Debian:12", purl: "pkg:deb/debian/zlib?arch=source" },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }] }],
    },
  ],
  references: [{ type: "ADVISORY", url: "https://security-tracker.debian.org/tracker/CVE-2023-45853" }],
};

/** cryptography's memory corruption in Cipher.update_into (fixed in 39.0.1). */
export const CRYPTOGRAPHY_GHSA = {
  schema_version: "1.4.0",
  id: "GHSA-x4qr-2fvf-3mr5",
  modified: "2023-02-16T22:43:52Z",
  published: "2023-02-07T21:12:09Z",
  aliases: ["CVE-2023-23931"],
  summary: "Vulnerable OpenSSL included in cryptography wheels",
  details:
    "Previously, Cipher.update_into would accept Python objects which implement the buffer protocol, but provide only immutable buffers.",
  severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:L" }],
  affected: [
    {
      package: { ecosystem: "PyPI", name: "cryptography", purl: "pkg:pypi/cryptography" },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "1.8" }, { fixed: "39.0.1" }] }],
    },
  ],
  references: [{ type: "ADVISORY", url: "https://nvd.nist.gov/vuln/detail/CVE-2023-23931" }],
};

/**
 * openssl's out-of-bounds access in CMS password decryption. `fixed` is given, so the test can set it to the
 * installed version: a version equal to the fix is not affected.
 */
export const opensslCve = (fixed: string) => ({
  schema_version: "1.6.0",
  id: "DEBIAN-CVE-2025-9230",
  modified: "2025-10-01T12:00:00Z",
  published: "2025-09-30T14:15:00Z",
  upstream: ["CVE-2025-9230"],
  details:
    "An application trying to decrypt CMS messages encrypted using password based encryption can trigger an out-of-bounds read and write.",
  affected: [
    {
      package: { name: "openssl", ecosystem: "Debian:12" },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed }] }],
    },
  ],
  references: [{ type: "ADVISORY", url: "https://security-tracker.debian.org/tracker/CVE-2025-9230" }],
});

/** bash's CVE-2022-3715 (a heap overflow in valid_parameter_transform); an open range here, for the re-match. */
export const BASH_CVE = {
  schema_version: "1.6.0",
  id: "DEBIAN-CVE-2022-3715",
  modified: "2025-01-14T10:00:00Z",
  published: "2023-01-05T15:15:10Z",
  upstream: ["CVE-2022-3715"],
  details:
    "A flaw was found in the bash package, where a heap-buffer overflow can occur in valid_parameter_transform.",
  severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H" }],
  affected: [
    {
      package: { name: "bash", ecosystem: "Debian:12" },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }] }],
    },
  ],
  references: [{ type: "ADVISORY", url: "https://security-tracker.debian.org/tracker/CVE-2022-3715" }],
};
