// The build log as the executor writes it: child output split into lines (on \n and \r, so progress bars
// become lines), secrets replaced, long lines cut, each line typed the way Quay's log entries are.
import { StringDecoder } from "node:string_decoder";
import type { LogLine } from "../types.js";

export const MAX_LINE = 8 * 1024;
const MASK = "********";
const CUT = " … (truncated)";

/** Splits a byte stream into lines, keeping at most `keep` characters of each. */
export class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private buf = "";
  private dropping = false;
  // A \r ending one chunk and the \n starting the next are one line break.
  private prevCR = false;

  constructor(
    private readonly emit: (line: string) => void,
    private readonly keep: number,
  ) {}

  push(chunk: Buffer): void {
    const text = this.decoder.write(chunk);
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) {
        this.prevCR = false;
        continue;
      }
      if (c === 10 && this.prevCR && i === start) {
        this.prevCR = false;
        start = i + 1;
        continue;
      }
      this.append(text.slice(start, i));
      this.flushLine();
      start = i + 1;
      this.prevCR = c === 13;
    }
    this.append(text.slice(start));
  }

  end(): void {
    this.append(this.decoder.end());
    if (this.buf !== "") this.flushLine();
  }

  private append(s: string): void {
    if (this.dropping || s === "") return;
    this.buf += s;
    if (this.buf.length > this.keep) {
      this.buf = this.buf.slice(0, this.keep);
      this.dropping = true;
    }
  }

  private flushLine(): void {
    const line = this.buf;
    this.buf = "";
    this.dropping = false;
    this.emit(line);
  }
}

/** Output lines that say something failed (buildah's "Error: …", git's "fatal: …", logrus' level=error). */
export const isErrorLine = (line: string) =>
  /^(error|fatal)\b/i.test(line) || /\blevel=(error|fatal)\b/.test(line);

export class BuildLog {
  private readonly secrets: string[] = [];

  constructor(
    private readonly sink: (line: LogLine) => void,
    secrets: string[],
  ) {
    for (const s of secrets) this.addSecret(s);
  }

  /** How much of an unfinished line a splitter keeps: enough to still see a whole secret. */
  get keep(): number {
    return MAX_LINE + (this.secrets[0]?.length ?? 0);
  }

  addSecret(secret: string): void {
    const parts = [secret];
    // Multi-line secrets (keys) are matched line by line too, since the log is split into lines.
    if (/[\r\n]/.test(secret)) parts.push(...secret.split(/\r?\n|\r/).filter((p) => p.trim().length >= 8));
    for (const p of parts) if (p && !this.secrets.includes(p)) this.secrets.push(p);
    // Longest first, so a secret containing another is masked whole.
    this.secrets.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(MASK);
    return out;
  }

  private write(type: LogLine["type"], text: string): void {
    let message = this.redact(text);
    if (message.length > MAX_LINE) message = message.slice(0, MAX_LINE - CUT.length) + CUT;
    try {
      this.sink({ type, message });
    } catch {
      // The caller's log store failing must not stop the build (nor throw inside a stream handler).
    }
  }

  /** A command the executor runs. */
  command(text: string): void {
    this.write("command", text);
  }

  info(text: string): void {
    this.write("", text);
  }

  error(text: string): void {
    this.write("error", text);
  }

  /** One line of a child's output; blank lines (progress redraws mostly) are dropped. */
  output(line: string): void {
    if (line.trim() === "") return;
    const type = line.startsWith("STEP ") ? "command" : isErrorLine(line) ? "error" : "";
    this.write(type, line);
  }
}

/** A command line for the log, quoted the way a shell would need it. */
export function showCommand(cmd: string, args: string[]): string {
  const q = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [cmd, ...args].map(q).join(" ");
}
