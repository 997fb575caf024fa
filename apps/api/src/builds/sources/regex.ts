// branchtag_regex: which pushes a trigger builds. Mirrors Quay's buildtrigger/triggerutil.py matches_ref:
//
//   match_string = ref.split("/", 1)[1]          # "refs/heads/main" -> "heads/main"
//   m = regex.match(match_string)                # anchored at the start (Python re.match)
//   return m and len(m.group(0)) == len(match_string)
//
// That is not quite a full match: re.match takes the first match the backtracking engine finds at position
// 0 and Quay only checks its length, so "heads/ma|heads/main" does NOT match "heads/main" (the first
// alternative wins with "heads/ma"). A sticky JavaScript RegExp backtracks in the same leftmost-first order,
// so exec() at lastIndex 0 plus the same length check reproduces Quay exactly.
//
// Quay's patterns are Python syntax; the few Python-only spellings that users write are translated
// ((?P<name>...), (?P=name), \A, \Z, leading global flags such as (?i)); everything else is ECMAScript syntax.
// Patterns are capped at MAX_REGEX_LENGTH and each match runs under a vm timeout, because a short pattern
// like (a+)+$ can still backtrack for ever on a long ref.
import vm from "node:vm";

export const MAX_REGEX_LENGTH = 255;
/** How long one match may run before it counts as a timeout. */
export const MATCH_TIMEOUT_MS = 50;

interface Translated {
  source: string;
  flags: string;
}

function translate(p: string): Translated {
  let flags = "";
  let i = 0;
  const lead = /^\(\?([aiLmsux]+)\)/.exec(p);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === "x") throw new Error("the verbose flag (?x) is not supported");
      if ("ims".includes(f) && !flags.includes(f)) flags += f; // a, L, u only concern Unicode classes
    }
    i = lead[0].length;
  }
  let out = "";
  let inClass = false;
  while (i < p.length) {
    const c = p[i]!;
    if (c === "\\") {
      const n = p[i + 1];
      if (n === undefined) throw new Error("trailing backslash");
      out += !inClass && n === "A" ? "^" : !inClass && n === "Z" ? "$" : c + n;
      i += 2;
    } else if (inClass) {
      if (c === "]") inClass = false;
      out += c;
      i++;
    } else if (c === "[") {
      inClass = true;
      out += c;
      i++;
      if (p[i] === "^") {
        out += "^";
        i++;
      }
      if (p[i] === "]") {
        out += "\\]"; // Python: a "]" first in a class is literal
        i++;
      }
    } else if (p.startsWith("(?P<", i)) {
      out += "(?<";
      i += 4;
    } else if (p.startsWith("(?P=", i)) {
      const end = p.indexOf(")", i);
      if (end < 0) throw new Error("unterminated (?P=name)");
      out += `\\k<${p.slice(i + 4, end)}>`;
      i = end + 1;
    } else {
      out += c;
      i++;
    }
  }
  return { source: out, flags };
}

const cache = new Map<string, RegExp | string>();

/** The compiled (sticky) regex, or the reason it does not compile. */
function compile(pattern: string): RegExp | string {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  let result: RegExp | string;
  if (pattern.length > MAX_REGEX_LENGTH) result = `longer than ${MAX_REGEX_LENGTH} characters`;
  else {
    try {
      const t = translate(pattern);
      result = new RegExp(t.source, t.flags + "y");
    } catch (e) {
      result = (e as Error).message;
    }
  }
  if (cache.size >= 256) cache.clear();
  cache.set(pattern, result);
  return result;
}

/** null when `s` is a usable branchtag_regex, else why not (for validation when a trigger is set up). */
export function checkRegex(s: string): string | null {
  if (typeof s !== "string") return "branchtag_regex must be a string";
  const r = compile(s);
  return typeof r === "string" ? `Invalid branchtag_regex: ${r}` : null;
}

const context = vm.createContext({});
const runner = new vm.Script("re.lastIndex = 0; m = re.exec(s); m === null ? -1 : m[0].length");

export type RefMatch = "match" | "mismatch" | "invalid" | "timeout";

/** How `ref` ("refs/heads/main") fares against a branchtag_regex, as Quay's matches_ref decides. */
export function refMatch(ref: string, pattern: string): RefMatch {
  const re = compile(pattern);
  if (typeof re === "string") return "invalid";
  const slash = ref.indexOf("/");
  if (slash < 0) return "mismatch";
  const subject = ref.slice(slash + 1);
  Object.assign(context, { re, s: subject, m: null });
  try {
    const len = runner.runInContext(context, { timeout: MATCH_TIMEOUT_MS }) as number;
    return len === subject.length ? "match" : "mismatch";
  } catch {
    return "timeout";
  } finally {
    Object.assign(context, { re: null, s: null, m: null });
  }
}

/** True when the ref matches (an invalid or runaway pattern matches nothing here; see skip.ts for Quay's rule). */
export const matchesRef = (ref: string, pattern: string) => refMatch(ref, pattern) === "match";
