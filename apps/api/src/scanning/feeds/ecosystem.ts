// Matching keys for OSV's ecosystems and package names: the importer stores them beside the names as
// written, and the matcher (../matcher.ts) builds the same keys from what an image declares.

/**
 * OSV's ecosystem string as a lower-case matching key: "Debian:12" → "debian:12", "Ubuntu:22.04:LTS" →
 * "ubuntu:22.04", "Ubuntu:Pro:18.04:LTS" → "ubuntu:pro:18.04", "Alpine:v3.19" → "alpine:v3.19",
 * "Rocky Linux:9" → "rocky linux:9", "PyPI" → "pypi". Unknown ecosystems are lower-cased as they are.
 */
export function ecosystemKey(osvEcosystem: string): string {
  const key = osvEcosystem.trim().toLowerCase();
  // Ubuntu's ":LTS" marks a support term, not a release: an image's os-release says only "22.04".
  if (key.startsWith("ubuntu:")) return key.replace(/:lts$/, "");
  // Red Hat's records name a CPE product stream ("Red Hat:enterprise_linux:9::appstream", one entry per
  // repository). The main RHEL stream of a major release is what an image's os-release can tell apart;
  // EUS/AUS/E4S streams ("rhel_eus:9.2") keep their own keys and match nothing.
  const rhel = /^red hat:enterprise_linux:(\d+)(?::.*)?$/.exec(key);
  if (rhel) return `red hat:${rhel[1]}`;
  return key;
}

/** PEP 503's normalised name: runs of "-", "_" and "." become one "-", lower-cased. */
export function pep503(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}

/** The package's matching key within its ecosystem: PyPI names normalised as PEP 503 says, others unchanged. */
export function packageKey(ecosystemKey: string, name: string): string {
  return ecosystemKey === "pypi" ? pep503(name) : name;
}
