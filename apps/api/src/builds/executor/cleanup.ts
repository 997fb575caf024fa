// The end of every build: nothing of it left running, nothing mounted under its work directory (a
// recursive delete must never walk into a bind mount), and the directory gone, read-only parts included.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { killLeftovers } from "./proc.js";

const exec = promisify(execFile);

/** Mount points at or under `dir`, deepest first (mountinfo escapes spaces and such as \ooo). */
export function mountsUnder(dir: string): string[] {
  let text = "";
  try {
    text = fs.readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return [];
  }
  const unescape = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
  return text
    .split("\n")
    .map((line) => unescape(line.split(" ")[4] ?? ""))
    .filter((mp) => mp === dir || mp.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Makes every directory under `dir` writable and searchable by its owner, so it can be emptied. */
function loosen(dir: string): void {
  try {
    fs.chmodSync(dir, 0o700);
  } catch {
    return;
  }
  for (const e of fs.readdirSync(dir, { withFileTypes: true }))
    if (e.isDirectory()) loosen(path.join(dir, e.name));
}

/** Problems are answered (for the log), not thrown: the build's own result matters more. */
export async function removeWorkdir(workdir: string): Promise<string[]> {
  const problems: string[] = [];
  const left = await killLeftovers(workdir);
  if (left.length) problems.push(`processes ${left.join(", ")} of the build would not stop`);
  for (const mp of mountsUnder(workdir)) {
    await exec("umount", ["-l", mp]).catch((e: Error) => problems.push(`umount ${mp}: ${e.message}`));
  }
  if (mountsUnder(workdir).length) {
    problems.push(`${workdir} still has mounts under it; not removed`);
    return problems;
  }
  try {
    await fs.promises.rm(workdir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // Not root: vfs layers hold read-only directories.
    try {
      loosen(workdir);
      await fs.promises.rm(workdir, { recursive: true, force: true, maxRetries: 3 });
    } catch (e) {
      problems.push(`could not remove ${workdir}: ${(e as Error).message}`);
    }
  }
  return problems;
}
