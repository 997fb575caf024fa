// One HTTP exchange with an upstream over node:http/https: keep-alive agents, TLS verification on or off,
// proxies, a timeout on silence, and the helpers that read bodies and turn error answers into RemoteErrors.
import http from "node:http";
import https from "node:https";
import { RemoteError, kindForStatus, networkError, parseErrorBody } from "./errors.js";
import { TunnelAgent, proxyAuthorization, proxyFor, type ProxySettings } from "./proxy.js";
import { parseRetryAfter } from "./retry.js";

export interface TransportOptions {
  verifyTls: boolean;
  proxy?: ProxySettings;
  /** A request fails as "unavailable" when the connection stays silent this long before the answer. */
  timeoutMs: number;
  userAgent: string;
}

export interface Exchange {
  method: "GET" | "HEAD";
  url: URL;
  headers: Record<string, string>;
  signal?: AbortSignal;
}

export class Transport {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  private readonly httpsAgent: https.Agent;
  private readonly tunnels = new Map<string, TunnelAgent>();

  constructor(private readonly opts: TransportOptions) {
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: 32,
      rejectUnauthorized: opts.verifyTls,
    });
  }

  /** Resolves with the answer once its headers arrived (any status); rejects with RemoteError otherwise. */
  send(x: Exchange): Promise<http.IncomingMessage> {
    const target = x.url;
    const proxy = proxyFor(target, this.opts.proxy);
    const headers: Record<string, string> = {
      "user-agent": this.opts.userAgent,
      "accept-encoding": "identity",
      ...x.headers,
    };
    let options: https.RequestOptions;
    let mod: typeof http | typeof https = target.protocol === "https:" ? https : http;
    const base = { method: x.method, signal: x.signal, rejectUnauthorized: this.opts.verifyTls };
    if (proxy && target.protocol === "http:") {
      // Plain HTTP through a proxy: the absolute URL as the request target.
      mod = proxy.protocol === "https:" ? https : http;
      options = {
        ...base,
        host: proxy.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: proxy.port || (proxy.protocol === "https:" ? 443 : 80),
        path: target.href,
        headers: { ...headers, host: target.host, ...proxyAuthorization(proxy) },
        agent: proxy.protocol === "https:" ? this.httpsAgent : this.httpAgent,
      };
    } else {
      options = {
        ...base,
        host: target.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: target.port || undefined,
        path: target.pathname + target.search,
        headers,
        agent: proxy ? this.tunnel(proxy) : target.protocol === "https:" ? this.httpsAgent : this.httpAgent,
      };
    }
    return new Promise((resolve, reject) => {
      const req = mod.request(options, resolve);
      req.setTimeout(this.opts.timeoutMs, () =>
        req.destroy(
          new RemoteError("unavailable", `${target.host} did not answer within ${this.opts.timeoutMs} ms`, {
            code: "ETIMEDOUT",
            url: target.href,
          }),
        ),
      );
      req.on("error", (e) =>
        reject(x.signal?.aborted ? (x.signal.reason ?? e) : networkError(e, target.href)),
      );
      req.end();
    });
  }

  private tunnel(proxy: URL): TunnelAgent {
    let agent = this.tunnels.get(proxy.href);
    if (!agent) {
      agent = new TunnelAgent(
        proxy,
        { keepAlive: true, maxSockets: 32, rejectUnauthorized: this.opts.verifyTls },
        this.opts.timeoutMs,
      );
      this.tunnels.set(proxy.href, agent);
    }
    return agent;
  }

  /** Closes pooled connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    for (const a of this.tunnels.values()) a.destroy();
    this.tunnels.clear();
  }
}

/** Reads a whole body, refusing more than `limit` bytes (a "protocol" error: no registry sends that). */
export function readBody(res: http.IncomingMessage, limit: number, url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(res.headers["content-length"]);
    if (declared > limit) {
      res.destroy();
      reject(new RemoteError("protocol", `${url}: body of ${declared} bytes exceeds ${limit}`, { url }));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        res.destroy();
        reject(new RemoteError("protocol", `${url}: body exceeds ${limit} bytes`, { url }));
      } else chunks.push(c);
    });
    res.once("end", () => resolve(Buffer.concat(chunks)));
    res.on("error", (e) => reject(networkError(e, url)));
  });
}

/** Lets a connection go back to the pool without reading what is left of an answer we do not want. */
export function discard(res: http.IncomingMessage): void {
  res.on("error", () => {});
  res.resume();
}

/** The RemoteError for an answer that is not what the operation wanted (reads up to 64 KiB of its body). */
export async function responseError(
  res: http.IncomingMessage,
  url: string,
  what: string,
  body?: Buffer,
): Promise<RemoteError> {
  const status = res.statusCode ?? 0;
  if (body === undefined) body = await readBody(res, 64 * 1024, url).catch(() => undefined);
  const { code, message } = parseErrorBody(body);
  const retryAfterMs =
    status === 429 || status === 503 ? parseRetryAfter(res.headers["retry-after"]) : undefined;
  return new RemoteError(
    kindForStatus(status),
    `${what}: upstream answered ${status}${code ? ` ${code}` : ""}${message ? `: ${message}` : ""}`,
    { status, code, upstreamMessage: message, retryAfterMs, url },
  );
}
