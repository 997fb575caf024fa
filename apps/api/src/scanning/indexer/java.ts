// Reads Java archives (.jar, .war, .ear; Jenkins .jpi/.hpi are jars too) from memory with yauzl: each
// META-INF/maven/<group>/<artifact>/pom.properties names a Maven artifact, and archives nested inside
// (BOOT-INF/lib/*.jar, WEB-INF/lib/*.jar, an ear's modules) are read the same way, as "outer.jar!inner.jar".
import type { Readable } from "node:stream";
import yauzl from "yauzl";
import type { FoundPackage } from "../types.js";

const ARCHIVE = /\.(jar|war|ear|jpi|hpi)$/i;
const POM_PROPERTIES = /^META-INF\/maven\/([^/]+)\/([^/]+)\/pom\.properties$/;
const MAX_DEPTH = 3; // outer archive + two levels of nesting covers Spring Boot, wars and ears
const MAX_PROPERTIES_BYTES = 64 * 1024;

export const isJavaArchive = (path: string) => ARCHIVE.test(path);

export interface JavaContext {
  maxFileBytes: number;
  warn: (message: string) => void;
}

async function readAll(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    n += (c as Buffer).length;
    if (n > limit) {
      stream.destroy();
      throw new Error(`entry over ${limit} bytes`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Java .properties: `key=value`, `key: value` or `key value`; `#`/`!` comments. (No line continuations:
 *  pom.properties never uses them.) */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith("!")) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!.trim());
  }
  return out;
}

async function readArchive(
  label: string,
  data: Buffer,
  depth: number,
  ctx: JavaContext,
  out: FoundPackage[],
): Promise<void> {
  const zip = await yauzl.fromBufferPromise(data, { strictFileNames: false, validateEntrySizes: true });
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName;
      if (name.endsWith("/")) continue;
      const pom = POM_PROPERTIES.exec(name);
      if (pom) {
        if (entry.uncompressedSize > MAX_PROPERTIES_BYTES) continue;
        const props = parseProperties(
          (await readAll(await zip.openReadStreamPromise(entry), MAX_PROPERTIES_BYTES)).toString("utf8"),
        );
        const group = props.get("groupId") || pom[1]!;
        const artifact = props.get("artifactId") || pom[2]!;
        const version = props.get("version");
        if (version) out.push({ kind: "maven", name: `${group}:${artifact}`, version, path: label });
      } else if (ARCHIVE.test(name) && depth < MAX_DEPTH) {
        const inner = `${label}!${name}`;
        if (entry.uncompressedSize > ctx.maxFileBytes) {
          ctx.warn(
            `${inner}: ${entry.uncompressedSize} bytes is over the ${ctx.maxFileBytes}-byte limit; not read`,
          );
          continue;
        }
        try {
          const buf = await readAll(await zip.openReadStreamPromise(entry), ctx.maxFileBytes);
          await readArchive(inner, buf, depth + 1, ctx, out);
        } catch (e) {
          ctx.warn(`${inner}: cannot read the nested archive: ${(e as Error).message}`);
        }
      }
    }
  } finally {
    zip.close();
  }
}

/** The Maven artifacts of one archive and its nested archives. Archives without pom.properties yield nothing:
 *  MANIFEST.MF's Implementation-Title is a display name, not an artifactId, so it would not match advisories. */
export async function parseJavaArchive(
  path: string,
  data: Buffer,
  ctx: JavaContext,
): Promise<FoundPackage[]> {
  const out: FoundPackage[] = [];
  await readArchive(path, data, 1, ctx, out);
  const seen = new Set<string>();
  return out.filter((p) => {
    const k = `${p.path}\0${p.name}\0${p.version}`;
    return !seen.has(k) && (seen.add(k), true);
  });
}
