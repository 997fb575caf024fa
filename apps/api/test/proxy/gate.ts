// A reverse proxy in front of a real upstream registry, for what the proxy cache's tests must see and
// control on the upstream's side: every request it forwards (counted by method and path), a blob held back
// after its first bytes until the test releases it, a blob corrupted in flight, and the upstream "down"
// (connections cut) or rate limiting (429).
import http from "node:http";
import type net from "node:net";
import type { AddressInfo } from "node:net";

export interface Seen {
  method: string;
  path: string;
}

export interface Hold {
  /** Resolves once `after` bytes of the blob went to the cache and the rest is held. */
  reached: Promise<void>;
  release(): void;
}

export class Gate {
  readonly seen: Seen[] = [];
  mode: "up" | "down" | "429" = "up";
  private readonly holds = new Map<string, { after: number; reached: () => void; released: Promise<void> }>();
  private readonly corrupted = new Set<string>();
  private readonly sockets = new Set<net.Socket>();
  private server!: http.Server;
  host = "";

  constructor(readonly upstream: string) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => this.forward(req, res));
    this.server.on("connection", (s: net.Socket) => {
      this.sockets.add(s);
      s.once("close", () => this.sockets.delete(s));
      if (this.mode === "down") s.destroy();
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Requests seen with this method whose path matches. */
  count(method: string, path: RegExp): number {
    return this.seen.filter((s) => s.method === method && path.test(s.path)).length;
  }

  /** Requests for manifests or blobs (token and ping requests left out). */
  get content(): Seen[] {
    return this.seen.filter((s) => /\/(manifests|blobs)\//.test(s.path));
  }

  reset(): void {
    this.seen.length = 0;
  }

  /** Cuts every connection (the upstream is away) until `up`. */
  down(): void {
    this.mode = "down";
    for (const s of this.sockets) s.destroy();
  }

  hold(digest: string, after: number): Hold {
    let release!: () => void;
    let reached!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const hit = new Promise<void>((r) => (reached = r));
    this.holds.set(digest, { after, reached, released });
    return { reached: hit, release };
  }

  corrupt(digest: string, on = true): void {
    if (on) this.corrupted.add(digest);
    else this.corrupted.delete(digest);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.seen.push({ method: req.method!, path: req.url! });
    if (this.mode === "down") return void req.socket.destroy();
    if (this.mode === "429") {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "3600" });
      return void res.end(JSON.stringify({ errors: [{ code: "TOOMANYREQUESTS", message: "slow down" }] }));
    }
    const [host, port] = this.upstream.split(":");
    const out = http.request(
      { host, port: Number(port), method: req.method, path: req.url, headers: req.headers, agent: false },
      (up) => {
        res.writeHead(up.statusCode!, up.headers);
        const digest = /\/blobs\/(sha256:[0-9a-f]{64})$/.exec(req.url ?? "")?.[1];
        const hold = digest && req.method === "GET" ? this.holds.get(digest) : undefined;
        const bad = digest && req.method === "GET" && this.corrupted.has(digest);
        if (!hold && !bad) return void up.pipe(res);
        if (hold) this.holds.delete(digest!);
        let sent = 0;
        let flipped = false;
        up.on("data", (chunk: Buffer) => {
          if (bad && !flipped && sent + chunk.length > 1000) {
            chunk = Buffer.from(chunk);
            chunk[Math.max(0, 1000 - sent)]! ^= 0xff;
            flipped = true;
          }
          sent += chunk.length;
          res.write(chunk);
          if (hold && sent >= hold.after && sent - chunk.length < hold.after) {
            up.pause();
            hold.reached();
            void hold.released.then(() => up.resume());
          }
        });
        up.on("end", () => res.end());
        up.on("error", () => res.destroy());
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  }
}

export const startGate = (upstream: string) => new Gate(upstream).start();
