// Real peers for notification tests: an HTTP receiver that records each request and answers as the test
// tells it (status, a hang, a large body), and an SMTP server (smtp-server) that keeps every message.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
  json: any;
}

/** What the receiver does with request number `n` (0-based). */
export type Behaviour = (n: number) => { status: number; body?: string } | "hang";

export class WebhookReceiver {
  readonly requests: Received[] = [];
  behaviour: Behaviour = () => ({ status: 200, body: "ok" });
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let json: unknown = null;
      try {
        json = JSON.parse(raw);
      } catch {
        json = null; // not JSON: the test reads `raw`
      }
      const n = this.requests.length;
      this.requests.push({ path: req.url ?? "", headers: req.headers, raw, json });
      const b = this.behaviour(n);
      if (b === "hang") return; // never answered: the sender's deadline must end it
      res.writeHead(b.status, { "content-type": "text/plain" });
      res.end(b.body ?? "");
    });
  });

  url = "";

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop() {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  on(path: string) {
    return this.requests.filter((r) => r.path === path);
  }
}

export interface Mail {
  from: string;
  to: string[];
  raw: string;
}

export class SmtpReceiver {
  readonly mails: Mail[] = [];
  port = 0;
  private server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData: (stream, session, done) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        this.mails.push({
          from: String(session.envelope.mailFrom && session.envelope.mailFrom.address),
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        done();
      });
    },
  });

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  stop() {
    return new Promise<void>((r) => this.server.close(() => r()));
  }
}

type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

/** Polls `check` until it returns a truthy value (no fixed sleeps: the test waits for what it needs). */
export async function until<T>(check: () => T | Promise<T>, what: string, ms = 30_000): Promise<Truthy<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v as Truthy<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
