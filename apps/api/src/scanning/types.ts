// The shapes the scanner's parts share: what the indexer finds in a layer and in an image, and what the
// matcher reports. Kept apart so the indexer, the feeds and the matcher depend on this file, not on each other.

/** Quay's (Clair's) severity levels, lowest first. */
export const SEVERITIES = ["Unknown", "Negligible", "Low", "Medium", "High", "Critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The kind of package database or manifest a package came from. */
export type PackageKind = "dpkg" | "apk" | "rpm" | "pypi" | "npm" | "maven" | "go" | "rubygems";

/** A version ordering (see versions.ts). */
export type VersionScheme = "dpkg" | "apk" | "rpm" | "semver" | "pep440" | "maven" | "rubygems";

/** The distribution an image's os-release names. */
export interface Distribution {
  /** ID, e.g. "debian", "alpine", "ubuntu", "rocky". */
  id: string;
  /** VERSION_ID, e.g. "12", "3.19.1", "22.04" ("" when absent: testing/sid). */
  versionId: string;
  versionCodename?: string;
  prettyName?: string;
  idLike?: string[];
}

/** One package as a layer declares it. */
export interface FoundPackage {
  kind: PackageKind;
  /** Maven: "group:artifact"; Go: the module path; others: the package name as the database spells it. */
  name: string;
  version: string;
  /** The source package (dpkg `Source:`, rpm SOURCERPM), which distribution advisories name. */
  source?: { name: string; version?: string };
  arch?: string;
  /** The file that declared it, without a leading "/" (the database file, METADATA, package.json, the jar or
   *  binary; a nested jar as "outer.jar!inner.jar"). A newer layer's copy of that file replaces its packages. */
  path: string;
}

/** What one layer holds, as the indexer found it (stored per layer digest, so a shared layer is read once). */
export interface LayerIndexData {
  /** os-release found in this layer (the newest layer that has one wins). */
  distribution: Distribution | null;
  /** The files this layer parsed (each replaces the same path's packages from lower layers), with their packages. */
  sources: { path: string; packages: FoundPackage[] }[];
  /** Paths this layer's whiteouts (`.wh.NAME`) remove from the layers below. */
  whiteouts: string[];
  /** Directories this layer makes opaque (`.wh..wh..opq`): everything below them from lower layers is gone. */
  opaque: string[];
  /** Things found but not read, e.g. "rpm database in Berkeley DB format (var/lib/rpm/Packages) is not supported". */
  warnings: string[];
}

/** A package of the whole image, with the layer that introduced it. */
export interface ImagePackage extends FoundPackage {
  addedBy: string;
}

export interface ImageIndex {
  distribution: Distribution | null;
  packages: ImagePackage[];
  warnings: string[];
}

/** OSV's affected ranges for one package (https://ossf.github.io/osv-schema/#affectedranges-field). */
export interface OsvRange {
  type: "ECOSYSTEM" | "SEMVER" | "GIT";
  events: { introduced?: string; fixed?: string; last_affected?: string; limit?: string }[];
}
export interface AffectedVersions {
  ranges: OsvRange[];
  versions: string[];
}
