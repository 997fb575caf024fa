// Stacks the indexes of an image's layers (oldest first) into the image's packages, as the layers stack on
// disk: each layer's whiteouts and opaque directories remove lower files, then its own files replace the
// same paths below. A package keeps the layer that first brought it along its path's history.
import type { Distribution, FoundPackage, ImageIndex, ImagePackage, LayerIndexData } from "../types.js";
import { isOsRelease } from "./os-release.js";

const identity = (p: FoundPackage) => [p.kind, p.name, p.version, p.arch ?? "", p.path].join("\0");

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function combineLayers(layers: { digest: string; index: LayerIndexData }[]): ImageIndex {
  const live = new Map<string, ImagePackage[]>(); // source path → its packages, as the image sees them
  // Each layer's os-release, with the paths it was read from that still stand (none recorded: never removed)
  const dists: { distribution: Distribution; paths: Set<string>; pinned: boolean }[] = [];
  const warnings = new Set<string>();

  for (const { digest, index } of layers) {
    const under = (p: string, dir: string) => dir === "" || p.startsWith(`${dir}/`);
    const removed = (p: string) =>
      index.whiteouts.some((w) => p === w || under(p, w)) || index.opaque.some((o) => under(p, o));
    if (index.whiteouts.length || index.opaque.length) {
      for (const p of [...live.keys()]) if (removed(p)) live.delete(p);
      for (const d of dists) for (const p of [...d.paths]) if (removed(p)) d.paths.delete(p);
    }
    for (const { path, packages } of index.sources) {
      const before = new Map((live.get(path) ?? []).map((p) => [identity(p), p.addedBy]));
      live.set(
        path,
        packages.map((p) => ({ ...p, addedBy: before.get(identity(p)) ?? digest })),
      );
      for (const d of dists) d.paths.delete(path); // this layer's copy replaces it
    }
    if (index.distribution) {
      const paths = new Set(index.sources.map((s) => s.path).filter(isOsRelease));
      dists.push({ distribution: index.distribution, paths, pinned: paths.size === 0 });
    }
    for (const w of index.warnings) warnings.add(w);
  }

  const standing = dists.filter((d) => d.pinned || d.paths.size > 0);
  const packages = [...live.values()]
    .flat()
    .sort(
      (a, b) =>
        cmp(a.kind, b.kind) || cmp(a.name, b.name) || cmp(a.version, b.version) || cmp(a.path, b.path),
    );
  return { distribution: standing.at(-1)?.distribution ?? null, packages, warnings: [...warnings] };
}
