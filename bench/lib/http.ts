// A small keep-alive HTTP client over node:http (no dependency; its per-request overhead is lower than
// fetch's, and bodies stream both ways). Every request goes through one Agent per target.
import crypto from "node:crypto";
import http from "node:http";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface HashedReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  digest: string;
  bytes: number;
}

export type Body = Buffer | string | (() => Readable);

/** Requests a server reset on a reused keep-alive connection (resent once on a new connection). */
export const resets: string[] = [];

export class HttpClient {
  constructor(
    readonly base: string,
    private readonly defaults: Record<string, string> = {},
    readonly agent = new http.Agent({ keepAlive: true, maxSockets: 128, keepAliveMsecs: 10_000 }),
  ) {}

  /** A client for the same server with extra default headers (sharing the connection pool). */
  with(headers: Record<string, string>): HttpClient {
    return new HttpClient(this.base, { ...this.defaults, ...headers }, this.agent);
  }

  private async open(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: Body | undefined,
  ): Promise<http.IncomingMessage> {
    try {
      return await this.send(method, path, headers, body, this.agent);
    } catch (e) {
      // A kept-alive socket the server closed as this request went out (the race Node's docs describe for
      // `request.reusedSocket`): counted (the runner reports it), then sent once more on a new connection.
      // Streams cannot be replayed.
      if (!(e as { reusedSocket?: boolean }).reusedSocket || typeof body === "function") throw e;
      resets.push(`${method} ${new URL(path, this.base).pathname}: ${(e as Error).message}`);
      return this.send(method, path, headers, body, false);
    }
  }

  private send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: Body | undefined,
    agent: http.Agent | false,
  ): Promise<http.IncomingMessage> {
    const url = new URL(path, this.base);
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method, agent, headers: { ...this.defaults, ...headers } }, resolve);
      req.on("error", (e: Error & { code?: string; reusedSocket?: boolean }) => {
        if (e.code === "ECONNRESET" && req.reusedSocket) e.reusedSocket = true;
        reject(e);
      });
      if (body === undefined) return void req.end();
      if (typeof body === "function") {
        pipeline(body(), req).catch(reject);
      } else {
        req.setHeader("Content-Length", String(Buffer.byteLength(body)));
        req.end(body);
      }
    });
  }

  /** Sends a request and buffers the answer (small bodies only). */
  async request(
    method: string,
    path: string,
    opts: { headers?: Record<string, string>; body?: Body } = {},
  ): Promise<Reply> {
    const res = await this.open(method, path, opts.headers ?? {}, opts.body);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
  }

  /** Sends a request and hashes the answer while it streams (never buffered). */
  async hashed(method: string, path: string, headers: Record<string, string> = {}): Promise<HashedReply> {
    const res = await this.open(method, path, headers, undefined);
    const h = crypto.createHash("sha256");
    let bytes = 0;
    for await (const c of res) {
      h.update(c as Buffer);
      bytes += (c as Buffer).length;
    }
    return { status: res.statusCode ?? 0, headers: res.headers, digest: `sha256:${h.digest("hex")}`, bytes };
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Throws with the body's first bytes when the status is not the expected one. */
export function expectStatus(r: Reply | HashedReply, want: number | number[], what: string): void {
  const ok = Array.isArray(want) ? want.includes(r.status) : r.status === want;
  if (!ok) {
    const body = "body" in r ? r.body.toString("utf8").slice(0, 300) : "";
    throw new Error(`${what}: HTTP ${r.status} ${body}`);
  }
}
