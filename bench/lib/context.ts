// What every workload gets: both targets, the size profile, and a place to record figures.
import { spawnSync } from "node:child_process";
import type { Ours, Target } from "./systems.js";

export interface Profile {
  quick: boolean;
  /** Rounds per registry for the ordinary workloads (alternating ours, distribution, ours, ...). */
  rounds: number;
  /** Rounds of the 64 MiB blob workload: each takes a second or two and moves with the load, so more. */
  largeBlobRounds: number;
  largeBlob: number;
  hugeBlob: number;
  /** Pulls of the huge blob per registry (it is pushed once). */
  hugePulls: number;
  smallBlobs: number;
  manifestPuts: number;
  /** Manifests per round that each bring their own layer. */
  distinctLayerManifests: number;
  /** Tags of the small repository whose tags/list is timed right after its pushes. */
  smallRepoTags: number;
  wrkSeconds: number;
  manyTags: number;
  catalogRepos: number;
  graphqlItems: number;
  gcTags: number;
  /** Pushes per round of the notifications workload (each delivered to 3 webhooks). */
  notificationPushes: number;
}

export const FULL: Profile = {
  quick: false,
  rounds: 5,
  largeBlobRounds: 9,
  largeBlob: 64 * 1024 * 1024,
  hugeBlob: 1024 * 1024 * 1024,
  hugePulls: 5,
  smallBlobs: 512,
  manifestPuts: 400,
  distinctLayerManifests: 200,
  smallRepoTags: 200,
  wrkSeconds: 10,
  manyTags: 10_000,
  catalogRepos: 1_000,
  graphqlItems: 1_000,
  gcTags: 10_000,
  notificationPushes: 1_000,
};

export const QUICK: Profile = {
  quick: true,
  rounds: 3,
  largeBlobRounds: 3,
  largeBlob: 8 * 1024 * 1024,
  hugeBlob: 64 * 1024 * 1024,
  hugePulls: 1,
  smallBlobs: 96,
  manifestPuts: 60,
  distinctLayerManifests: 40,
  smallRepoTags: 40,
  wrkSeconds: 3,
  manyTags: 500,
  catalogRepos: 60,
  graphqlItems: 60,
  gcTags: 500,
  notificationPushes: 100,
};

export type Direction = "higher" | "lower";

export interface MetricDef {
  /** Row label, e.g. "push 64 MiB ×1". */
  name: string;
  unit: string;
  better: Direction;
  /** Absolute target for ours-only rows ("< 50 ms"); compared rows target ≥ 1.0× distribution. */
  limit?: { value: number; text: string };
  /** The ratio a compared row targets instead of 1.0× (0.9: "at least 0.9×" for throughput). */
  ratio?: number;
}

export interface Row extends MetricDef {
  family: string;
  values: Record<Target["name"], number[]>;
}

export class BenchContext {
  readonly rows: Row[] = [];
  readonly notes: string[] = [];

  constructor(
    readonly ours: Ours,
    readonly dist: Target,
    readonly profile: Profile,
    readonly tmpDir: string,
  ) {}

  get targets(): Target[] {
    return [this.ours, this.dist];
  }

  /** False during warm-up rounds: figures are not kept. */
  private recording = true;

  record(family: string, def: MetricDef, target: Target["name"], value: number): void {
    if (!this.recording) return;
    let row = this.rows.find((r) => r.family === family && r.name === def.name);
    if (!row) {
      row = { ...def, family, values: { ours: [], distribution: [] } };
      this.rows.push(row);
    }
    row.values[target].push(value);
  }

  note(text: string): void {
    this.notes.push(text);
    console.error(`note: ${text}`);
  }

  progress(text: string): void {
    console.error(`[${new Date().toISOString().slice(11, 19)}] ${text}`);
  }

  /**
   * Runs `fn` for both targets, `rounds` times. The order alternates per round (ours first, then distribution
   * first, ...), so drifting load and whatever one round leaves behind hit both alike. Before each run the
   * page cache is written back (`sync`), so what one run left dirty (blob files, the database) is not
   * written back during the next one. `warmup` rounds run first unrecorded (our server's JIT, both servers'
   * first connections and allocations); they get round numbers past the last so their names never clash.
   */
  async alternate(
    rounds: number,
    fn: (t: Target, round: number) => Promise<void>,
    opts: { warmup?: number } = {},
  ): Promise<void> {
    const warmup = opts.warmup ?? 0;
    for (let i = -warmup; i < rounds; i++) {
      this.recording = i >= 0;
      try {
        for (const t of i % 2 === 0 ? this.targets : [...this.targets].reverse()) {
          spawnSync("sync");
          await fn(t, i < 0 ? rounds - i : i);
        }
      } finally {
        this.recording = true;
      }
    }
  }
}
