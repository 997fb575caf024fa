// Real OSV records of known advisories, typed in (long details, reference lists, version lists and Ubuntu's
// binary lists trimmed). Where each comes from, and what is not verbatim, is said above it.

/** github/advisory-database advisories/github-reviewed/2021/05/GHSA-35jh-r3h4-6jhm (verbatim, references trimmed). */
export const LODASH_GHSA = {
  schema_version: "1.3.0",
  id: "GHSA-35jh-r3h4-6jhm",
  modified: "2022-02-08T21:35:09Z",
  published: "2021-05-06T16:05:51Z",
  aliases: ["CVE-2021-23337"],
  summary: "Command Injection in lodash",
  details:
    "`lodash` versions prior to 4.17.21 are vulnerable to Command Injection via the template function.",
  severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H" }],
  affected: [
    {
      package: { ecosystem: "npm", name: "lodash" },
      ecosystem_specific: { affected_functions: ["lodash.template"] },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "4.17.21" }] }],
    },
    {
      package: { ecosystem: "npm", name: "lodash-es" },
      ecosystem_specific: { affected_functions: ["lodash.template"] },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "4.17.21" }] }],
    },
  ],
  references: [
    { type: "ADVISORY", url: "https://nvd.nist.gov/vuln/detail/CVE-2021-23337" },
    { type: "WEB", url: "https://github.com/lodash/lodash/commit/3469357cff396a26c363f8c1b5a91dde28ba4b1c" },
    { type: "PACKAGE", url: "https://github.com/lodash/lodash" },
    { type: "WEB", url: "https://snyk.io/vuln/SNYK-JS-LODASH-1040724" },
  ],
  database_specific: {
    cwe_ids: ["CWE-77", "CWE-94"],
    severity: "HIGH",
    github_reviewed: true,
    github_reviewed_at: "2021-03-31T23:59:26Z",
    nvd_published_at: "2021-02-15T13:15:00Z",
  },
};

/** Log4Shell: github/advisory-database GHSA-jfh8-c2jp-5v3q (details and references trimmed). Its id is
 *  GHSA-jfh8-c2jp-5v3q; "GHSA-jfh8-c2jf-5xm6" does not exist. */
export const LOG4J_GHSA = {
  schema_version: "1.3.0",
  id: "GHSA-jfh8-c2jp-5v3q",
  modified: "2022-03-25T20:56:18Z",
  published: "2021-12-10T00:40:56Z",
  aliases: ["CVE-2021-44228"],
  summary: "Remote code injection in Log4j",
  details:
    "Log4j versions prior to 2.16.0 are subject to a remote code execution vulnerability via the ldap JNDI parser.",
  severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H" }],
  affected: [
    {
      package: { ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core" },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "2.13.0" }, { fixed: "2.15.0" }] }],
    },
    {
      package: { ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core" },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "2.3.1" }] }],
    },
    {
      package: { ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core" },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "2.4" }, { fixed: "2.12.2" }] }],
    },
  ],
  references: [
    { type: "ADVISORY", url: "https://nvd.nist.gov/vuln/detail/CVE-2021-44228" },
    { type: "WEB", url: "https://github.com/apache/logging-log4j2/pull/608" },
    { type: "ADVISORY", url: "https://github.com/advisories/GHSA-7rjr-3q55-vv33" },
    { type: "PACKAGE", url: "https://github.com/apache/logging-log4j2" },
    { type: "WEB", url: "https://logging.apache.org/log4j/2.x/security.html" },
  ],
  database_specific: {
    cwe_ids: ["CWE-20", "CWE-400", "CWE-502", "CWE-917"],
    severity: "CRITICAL",
    github_reviewed: true,
  },
};

/** github/advisory-database GHSA-j8r2-6x86-q33q (requests; details and references trimmed). */
export const REQUESTS_GHSA = {
  schema_version: "1.4.0",
  id: "GHSA-j8r2-6x86-q33q",
  modified: "2023-09-20T19:19:30Z",
  published: "2023-05-22T20:36:32Z",
  aliases: ["CVE-2023-32681"],
  summary: "Unintended leak of Proxy-Authorization header in requests",
  details:
    "Since Requests v2.3.0, Requests has been vulnerable to potentially leaking `Proxy-Authorization` headers to destination servers.",
  severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N" }],
  affected: [
    {
      package: { ecosystem: "PyPI", name: "requests" },
      ecosystem_specific: { affected_functions: ["requests.sessions.SessionRedirectMixin.rebuild_proxies"] },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "2.3.0" }, { fixed: "2.31.0" }] }],
    },
  ],
  references: [
    { type: "WEB", url: "https://github.com/psf/requests/security/advisories/GHSA-j8r2-6x86-q33q" },
    { type: "ADVISORY", url: "https://nvd.nist.gov/vuln/detail/CVE-2023-32681" },
    { type: "WEB", url: "https://github.com/psf/requests/commit/74ea7cf7a6a27a4eeb2ae24e162bcc942a6706d5" },
    { type: "PACKAGE", url: "https://github.com/psf/requests" },
    {
      type: "WEB",
      url: "https://github.com/pypa/advisory-database/tree/main/vulns/requests/PYSEC-2023-74.yaml",
    },
  ],
  database_specific: { cwe_ids: ["CWE-200"], severity: "MODERATE", github_reviewed: true },
};

/** pypa/advisory-database vulns/pyyaml/PYSEC-2021-142.yaml, as JSON (details and versions trimmed). */
export const PYYAML_PYSEC = {
  id: "PYSEC-2021-142",
  details:
    "A vulnerability was discovered in the PyYAML library in versions before 5.4, where it is susceptible to arbitrary code execution when it processes untrusted YAML files through the full_load method or with the FullLoader loader.",
  affected: [
    {
      package: { name: "pyyaml", ecosystem: "PyPI", purl: "pkg:pypi:pyyaml" },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "5.4" }] }],
      versions: ["3.01", "3.13", "5.1", "5.3", "5.3.1", "5.4b1", "5.4b2"],
    },
  ],
  references: [
    { type: "REPORT", url: "https://bugzilla.redhat.com/show_bug.cgi?id=1860466" },
    { type: "ADVISORY", url: "https://github.com/advisories/GHSA-8q59-q68h-6hv4" },
  ],
  aliases: ["CVE-2020-14343", "GHSA-8q59-q68h-6hv4"],
  modified: "2021-08-27T03:22:18.913334Z",
  published: "2021-02-09T21:15:00Z",
};

/** golang/vulndb data/osv/GO-2023-2102.json (symbol lists trimmed). That repository stores zero
 *  modified/published times ("0001-01-01T00:00:00Z"); vuln.go.dev serves real ones. Kept as stored. */
export const GO_HTTP2_RESET = {
  schema_version: "1.3.1",
  id: "GO-2023-2102",
  modified: "0001-01-01T00:00:00Z",
  published: "0001-01-01T00:00:00Z",
  aliases: ["CVE-2023-44487", "CVE-2023-39325", "GHSA-4374-p667-p6c8"],
  summary: "HTTP/2 rapid reset can cause excessive work in net/http",
  details:
    "A malicious HTTP/2 client which rapidly creates requests and immediately resets them can cause excessive server resource consumption.",
  affected: [
    {
      package: { name: "stdlib", ecosystem: "Go" },
      ranges: [
        {
          type: "SEMVER",
          events: [
            { introduced: "0" },
            { fixed: "1.20.10" },
            { introduced: "1.21.0-0" },
            { fixed: "1.21.3" },
          ],
        },
      ],
      ecosystem_specific: { imports: [{ path: "net/http", symbols: ["ListenAndServe", "Server.Serve"] }] },
    },
    {
      package: { name: "golang.org/x/net", ecosystem: "Go" },
      ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: "0.17.0" }] }],
      ecosystem_specific: { imports: [{ path: "golang.org/x/net/http2", symbols: ["Server.ServeConn"] }] },
    },
  ],
  references: [
    { type: "REPORT", url: "https://go.dev/issue/63417" },
    { type: "FIX", url: "https://go.dev/cl/534215" },
    { type: "FIX", url: "https://go.dev/cl/534235" },
    { type: "WEB", url: "https://groups.google.com/g/golang-announce/c/iNNxDTCjZvo/m/UDd7VKQuAAAJ" },
  ],
  database_specific: { url: "https://pkg.go.dev/vuln/GO-2023-2102" },
};

/** github/advisory-database GHSA-crjr-9rc5-ghw8 (nokogiri; details and references trimmed). */
export const NOKOGIRI_GHSA = {
  schema_version: "1.2.0",
  id: "GHSA-crjr-9rc5-ghw8",
  modified: "2022-05-26T19:44:18Z",
  published: "2022-04-11T21:18:06Z",
  aliases: ["CVE-2022-24836"],
  summary: "Inefficient Regular Expression Complexity in Nokogiri",
  details:
    "Nokogiri `< v1.13.4` contains an inefficient regular expression that is susceptible to excessive backtracking when attempting to detect encoding in HTML documents.",
  severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H" }],
  affected: [
    {
      package: { ecosystem: "RubyGems", name: "nokogiri" },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1.13.4" }] }],
    },
  ],
  references: [
    { type: "WEB", url: "https://github.com/sparklemotion/nokogiri/security/advisories/GHSA-crjr-9rc5-ghw8" },
    { type: "ADVISORY", url: "https://nvd.nist.gov/vuln/detail/CVE-2022-24836" },
  ],
  database_specific: { cwe_ids: ["CWE-1333", "CWE-400"], severity: "HIGH", github_reviewed: true },
};

/** regreSSHion as Canonical publishes it: canonical/ubuntu-security-notices osv/cve/2024/UBUNTU-CVE-2024-6387.json
 *  (versions and ecosystem_specific.binaries trimmed). The priority is affected[].ecosystem_specific.ubuntu_priority. */
export const OPENSSH_UBUNTU = {
  schema_version: "1.6.3",
  id: "UBUNTU-CVE-2024-6387",
  details: "A security regression (CVE-2006-5051) was discovered in OpenSSH's server (sshd).",
  aliases: [],
  related: ["CVE-2024-6387", "USN-6859-1"],
  severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
  published: "2024-07-01T00:00:00Z",
  modified: "2024-07-01T00:00:00Z",
  affected: [
    {
      package: {
        ecosystem: "Ubuntu:22.04:LTS",
        name: "openssh",
        purl: "pkg:deb/ubuntu/openssh?arch=src?distro=jammy",
      },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1:8.9p1-3ubuntu0.10" }] }],
      versions: ["1:8.9p1-3", "1:8.9p1-3ubuntu0.7"],
      ecosystem_specific: {
        binaries: [{ binary_name: "openssh-server", binary_version: "1:8.9p1-3ubuntu0.10" }],
        availability: "No subscription required",
        ubuntu_priority: "high",
        priority_reason: "Potential remote code execution",
      },
    },
    {
      package: {
        ecosystem: "Ubuntu:24.04:LTS",
        name: "openssh",
        purl: "pkg:deb/ubuntu/openssh?arch=src?distro=noble",
      },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1:9.6p1-3ubuntu13.3" }] }],
      versions: ["1:9.6p1-3ubuntu13"],
      ecosystem_specific: {
        binaries: [{ binary_name: "openssh-server", binary_version: "1:9.6p1-3ubuntu13.3" }],
        availability: "No subscription required",
        ubuntu_priority: "high",
        priority_reason: "Potential remote code execution",
      },
    },
  ],
  references: [
    { type: "REPORT", url: "https://ubuntu.com/security/CVE-2024-6387" },
    { type: "REPORT", url: "https://www.cve.org/CVERecord?id=CVE-2024-6387" },
    { type: "REPORT", url: "https://ubuntu.com/security/notices/USN-6859-1" },
  ],
};

/** AlmaLinux/osv-database advisories/almalinux9/ALSA-2022:6224.json (details and references trimmed). No
 *  severity field: Red Hat's rating is the summary's "Moderate:" prefix. */
export const OPENSSL_ALSA = {
  id: "ALSA-2022:6224",
  summary: "Moderate: openssl security and bug fix update",
  affected: ["openssl", "openssl-devel", "openssl-libs", "openssl-perl"].map((name) => ({
    package: { ecosystem: "AlmaLinux:9", name },
    ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1:3.0.1-41.el9_0" }] }],
  })),
  aliases: ["CVE-2022-1292", "CVE-2022-1343", "CVE-2022-1473", "CVE-2022-2068", "CVE-2022-2097"],
  published: "2022-08-30T00:00:00Z",
  modified: "2022-09-02T08:59:07Z",
  details:
    "OpenSSL is a toolkit that implements the Secure Sockets Layer (SSL) and Transport Layer Security (TLS) protocols.",
  references: [
    { url: "https://access.redhat.com/errata/RHSA-2022:6224", type: "ADVISORY" },
    { url: "https://access.redhat.com/security/cve/CVE-2022-1292", type: "REPORT" },
    { url: "https://errata.almalinux.org/9/ALSA-2022-6224.html", type: "ADVISORY" },
  ],
};

/** Rocky's counterpart of RHSA-2022:6224. NOT fetched: the shape is Apollo's (resf/distro-tools
 *  apollo/server/routes/api_osv.py: summary = synopsis, highest CVSS v3 vector, range database_specific),
 *  the values are the ALSA's; the CVSS vector is NVD's for CVE-2022-2068. */
export const OPENSSL_RLSA = {
  schema_version: "1.3.1",
  id: "RLSA-2022:6224",
  modified: "2022-09-07T00:00:00Z",
  published: "2022-09-06T00:00:00Z",
  aliases: ["CVE-2022-1292", "CVE-2022-1343", "CVE-2022-1473", "CVE-2022-2068", "CVE-2022-2097"],
  summary: "Moderate: openssl security and bug fix update",
  details:
    "OpenSSL is a toolkit that implements the Secure Sockets Layer (SSL) and Transport Layer Security (TLS) protocols.",
  severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
  affected: [
    {
      package: {
        ecosystem: "Rocky Linux:9",
        name: "openssl",
        purl: "pkg:rpm/rocky-linux/openssl@3.0.1-41.el9_0?distro=rocky-linux-9&epoch=1",
      },
      ranges: [
        {
          type: "ECOSYSTEM",
          events: [{ introduced: "0" }, { fixed: "3.0.1-41.el9_0" }],
          database_specific: { yum_repository: "BaseOS" },
        },
      ],
    },
  ],
  references: [{ type: "ADVISORY", url: "https://errata.rockylinux.org/RLSA-2022:6224" }],
  credits: [{ name: "Rocky Enterprise Software Foundation" }, { name: "Red Hat" }],
};

/** Looney Tunables, DSA-5514-1, in the shape of OSV's dsa-dla-dtsa converter (google/osv.dev vulnfeeds):
 *  upstream ids, the debian.org advisory, introduced 0 / fixed per release; no severity. The fixed versions
 *  are the DSA's; `modified` and the details are not verbatim. */
export const GLIBC_DSA = {
  id: "DSA-5514-1",
  summary: "glibc - security update",
  details:
    "The Qualys Research Labs discovered a buffer overflow in the dynamic loader's processing of the GLIBC_TUNABLES environment variable.",
  published: "2023-10-03T00:00:00Z",
  modified: "2023-10-03T16:00:00Z",
  upstream: ["DEBIAN-CVE-2023-4911", "CVE-2023-4911"],
  references: [{ type: "ADVISORY", url: "https://www.debian.org/security/2023/dsa-5514" }],
  affected: [
    {
      package: { ecosystem: "Debian:11", name: "glibc" },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "2.31-13+deb11u7" }] }],
    },
    {
      package: { ecosystem: "Debian:12", name: "glibc" },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "2.36-9+deb12u3" }] }],
    },
  ],
};

/** coreutils' chroot TIOCSTI issue, which Debian rates "unimportant", in the shape of OSV's DEBIAN-CVE
 *  converter (urgency per release in ecosystem_specific, NVD's vector as severity). Unfixed everywhere;
 *  the vector and score (6.5) are NVD's; `modified` is not verbatim. */
export const COREUTILS_DEBIAN_CVE = {
  id: "DEBIAN-CVE-2016-2781",
  upstream: ["CVE-2016-2781"],
  modified: "2025-01-15T00:00:00Z",
  published: "2017-02-07T15:59:00Z",
  details:
    "chroot in GNU coreutils, when used with --userspec, allows local users to escape to the parent session via a crafted TIOCSTI ioctl call, which pushes characters to the terminal's input buffer.",
  severity: [{ type: "CVSS_V3", score: "CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:C/C:N/I:H/A:N" }],
  references: [{ type: "ADVISORY", url: "https://security-tracker.debian.org/tracker/CVE-2016-2781" }],
  affected: ["11", "12", "13"].map((release) => ({
    package: { name: "coreutils", ecosystem: `Debian:${release}` },
    ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }] }],
    ecosystem_specific: { urgency: "unimportant" },
  })),
};

/** OpenSSL's SM2 decryption overflow in the shape of OSV's Alpine converter (ALPINE-<CVE>, the secdb's fix
 *  per branch, security.alpinelinux.org as advisory, NVD's vector). Fixed in 1.1.1l-r0 on v3.14. */
export const OPENSSL_ALPINE = {
  id: "ALPINE-CVE-2021-3711",
  upstream: ["CVE-2021-3711"],
  modified: "2024-05-01T00:00:00Z",
  published: "2021-08-24T15:15:00Z",
  details:
    "In order to decrypt SM2 encrypted data an application is expected to call the API function EVP_PKEY_decrypt().",
  severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
  references: [{ type: "ADVISORY", url: "https://security.alpinelinux.org/vuln/CVE-2021-3711" }],
  affected: [
    {
      package: { name: "openssl", ecosystem: "Alpine:v3.14", purl: "pkg:apk/alpine/openssl?arch=source" },
      ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1.1.1l-r0" }] }],
    },
  ],
};

export const ALL = [
  LODASH_GHSA,
  LOG4J_GHSA,
  REQUESTS_GHSA,
  PYYAML_PYSEC,
  GO_HTTP2_RESET,
  NOKOGIRI_GHSA,
  OPENSSH_UBUNTU,
  OPENSSL_ALSA,
  OPENSSL_RLSA,
  GLIBC_DSA,
  COREUTILS_DEBIAN_CVE,
  OPENSSL_ALPINE,
];
