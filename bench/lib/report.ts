// Renders the recorded figures as a Markdown table (stdout and BENCHMARKS.md).
import { spawnSync } from "node:child_process";
import os from "node:os";
import type { Row } from "./context.js";
import { max, median, min } from "./stats.js";

const fmt = (v: number) =>
  !Number.isFinite(v)
    ? "—"
    : Math.abs(v) >= 100
      ? v.toFixed(0)
      : Math.abs(v) >= 10
        ? v.toFixed(1)
        : v.toFixed(2);

function cell(values: number[]): string {
  if (!values.length) return "—";
  const m = median(values);
  if (values.length === 1) return fmt(m);
  return `${fmt(m)} (${fmt(min(values))}–${fmt(max(values))})`;
}

function verdict(r: Row): { ratio: string; target: string; ok: boolean | null } {
  const ours = median(r.values.ours);
  const theirs = median(r.values.distribution);
  const arrow = r.better === "higher" ? "higher is better" : "lower is better";
  if (r.limit) {
    const ok = r.better === "higher" ? ours >= r.limit.value : ours < r.limit.value;
    return {
      ratio: "ours only",
      target: `${r.limit.text} (${arrow})`,
      ok: Number.isFinite(ours) ? ok : null,
    };
  }
  if (!r.values.distribution.length) return { ratio: "ours only", target: "—", ok: null };
  if (!Number.isFinite(ours) || !Number.isFinite(theirs) || theirs === 0)
    return { ratio: "—", target: "", ok: null };
  const ratio = ours / theirs;
  // "At least 1.0× distribution" (or the row's own ratio): for throughput ours/dist ≥ it, for latencies ≤.
  const want = r.ratio ?? 1;
  const ok = r.better === "higher" ? ratio >= want : ratio <= want;
  return {
    ratio: `${ratio.toFixed(2)}×`,
    target: `${r.better === "higher" ? "≥" : "≤"} ${want.toFixed(2)}× (${arrow})`,
    ok,
  };
}

export function renderTable(rows: Row[]): string {
  const lines = [
    "| workload | metric | ours: median (min–max) | distribution: median (min–max) | ours/dist | target | met |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const v = verdict(r);
    const n = Math.max(r.values.ours.length, r.values.distribution.length);
    lines.push(
      `| ${r.family} | ${r.name} [${r.unit}]${n > 1 ? `, n=${n}` : ""} | ${cell(r.values.ours)} | ${cell(r.values.distribution)} | ${v.ratio} | ${v.target} | ${v.ok === null ? "–" : v.ok ? "yes" : "**no**"} |`,
    );
  }
  return lines.join("\n");
}

export function machine(): string {
  const cpus = os.cpus();
  const git = (args: string[]) => spawnSync("git", args, { encoding: "utf8" }).stdout.trim();
  const dirty = git(["status", "--porcelain", "--untracked-files=no"])
    ? " (working tree has local edits)"
    : "";
  return [
    `- machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}`,
    `- load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
    `- node ${process.version}; ${spawnSync("docker-registry", ["--version"], { encoding: "utf8" }).stdout.trim()}`,
    `- date: ${new Date().toISOString()}`,
    `- commit: ${git(["rev-parse", "--short", "HEAD"])}${dirty}`,
  ].join("\n");
}
