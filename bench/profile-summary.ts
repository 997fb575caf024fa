// Summarises a V8 .cpuprofile (from `npm run bench -- --profile=DIR`): the functions with the most self time,
// and the most time by file (self), so hot paths show without a GUI.
//   npx tsx bench/profile-summary.ts DIR/*.cpuprofile [top]
import fs from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: tsx bench/profile-summary.ts FILE.cpuprofile [top]");
  process.exit(2);
}
const top = Number(topArg ?? 30);
const p = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
const self = new Map<number, number>();
p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const short = (url: string) =>
  url
    .replace(/^file:\/\//, "")
    .replace(/.*node_modules\//, "~/")
    .replace(/.*\/work\/main\//, "");

const byFn = new Map<string, number>();
const byFile = new Map<string, number>();
for (const n of p.nodes) {
  const t = self.get(n.id) ?? 0;
  if (!t) continue;
  const f = `${n.callFrame.functionName || "(anonymous)"} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  byFn.set(f, (byFn.get(f) ?? 0) + t);
  const file = short(n.callFrame.url) || n.callFrame.functionName;
  byFile.set(file, (byFile.get(file) ?? 0) + t);
}
const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(
      `${((100 * v) / total).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`,
    );
};
console.log(`total sampled: ${(total / 1e6).toFixed(1)} s`);
print("self time by function", byFn);
print("self time by file", byFile);
