// `WWW-Authenticate` parsing (RFC 9110 §11.6.1): one header may carry several challenges, each a scheme and
// comma-separated `key=value` params whose values may be quoted strings with backslash escapes.

export interface Challenge {
  /** Lower-case: "bearer", "basic". */
  scheme: string;
  /** Param names lower-case: realm, service, scope, error. */
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;

export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const s = Array.isArray(header) ? header.join(", ") : header;
  const out: Challenge[] = [];
  let cur: Challenge | undefined;
  let i = 0;
  const skip = (chars: string) => {
    while (i < s.length && chars.includes(s[i]!)) i++;
  };
  const token = (): string | undefined => {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(s);
    if (!m) return undefined;
    i += m[0].length;
    return m[0];
  };
  // Unquoted values are tokens by the RFC; servers also send bare URLs, so read up to a comma or space.
  const bare = (): string => {
    const start = i;
    while (i < s.length && !", \t".includes(s[i]!)) i++;
    return s.slice(start, i);
  };
  const quoted = (): string => {
    let v = "";
    i++; // opening quote
    while (i < s.length && s[i] !== '"') {
      if (s[i] === "\\" && i + 1 < s.length) i++;
      v += s[i++];
    }
    i++; // closing quote
    return v;
  };
  while (i < s.length) {
    skip(" \t,");
    const t = token();
    if (t === undefined) {
      i++;
      continue;
    }
    skip(" \t");
    if (s[i] === "=" && cur) {
      i++;
      skip(" \t");
      cur.params[t.toLowerCase()] = s[i] === '"' ? quoted() : bare();
    } else {
      cur = { scheme: t.toLowerCase(), params: {} };
      out.push(cur);
    }
  }
  return out;
}

/** The challenge we can answer: Bearer with a realm first (what registries mean), else Basic. */
export function pickChallenge(challenges: Challenge[]): Challenge | undefined {
  return (
    challenges.find((c) => c.scheme === "bearer" && c.params.realm) ??
    challenges.find((c) => c.scheme === "basic")
  );
}
