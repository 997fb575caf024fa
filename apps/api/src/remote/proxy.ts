// Outbound proxies: which requests go through one (httpProxy / httpsProxy / noProxy, as the environment
// variables of the same names), and an https.Agent that reaches its targets through an HTTP CONNECT tunnel.
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { Duplex } from "node:stream";
import tls from "node:tls";
import { RemoteError } from "./errors.js";

export interface ProxySettings {
  /** Proxy for https:// targets (tunnelled with CONNECT). */
  httpsProxy?: string;
  /** Proxy for http:// targets (absolute-form requests, as HTTP proxies expect). */
  httpProxy?: string;
  /** Comma- or space-separated hosts, `.domain` suffixes, `host:port`, IPv4 CIDRs, or `*`. */
  noProxy?: string;
}

/** `proxy:3128` or `http://user:pass@proxy:3128` → URL; TypeError for anything but http(s). */
export function parseProxyUrl(raw: string): URL {
  const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new TypeError(`unsupported proxy scheme ${u.protocol} (only http and https proxies)`);
  return u;
}

const unbracket = (h: string) => h.replace(/^\[(.*)\]$/, "$1").toLowerCase();

function ipv4ToInt(ip: string): number {
  return ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

function entryMatches(entry: string, host: string, port: string): boolean {
  if (entry === "*") return true;
  const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(entry);
  if (cidr) {
    if (net.isIPv4(host) === false) return false;
    const bits = Number(cidr[2]);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return (ipv4ToInt(host) & mask) >>> 0 === (ipv4ToInt(cidr[1]!) & mask) >>> 0;
  }
  let name = entry;
  let wantPort: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) [name, wantPort] = [bracketed[1]!, bracketed[2]];
  else if (/^[^:]+:\d+$/.test(entry)) [name, wantPort] = entry.split(":") as [string, string];
  if (wantPort !== undefined && wantPort !== port) return false;
  name = name.replace(/^\*?\./, "");
  return host === name || (!net.isIP(host) && host.endsWith(`.${name}`));
}

/** True when `target` must be reached directly according to `noProxy`. */
export function bypassesProxy(target: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = unbracket(target.hostname);
  const port = target.port || (target.protocol === "https:" ? "443" : "80");
  return noProxy
    .split(/[\s,]+/)
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean)
    .some((e) => entryMatches(e, host, port));
}

/** The proxy a request to `target` goes through, if any. */
export function proxyFor(target: URL, settings: ProxySettings | undefined): URL | undefined {
  const raw = target.protocol === "https:" ? settings?.httpsProxy : settings?.httpProxy;
  if (!raw || bypassesProxy(target, settings?.noProxy)) return undefined;
  return parseProxyUrl(raw);
}

/** `Proxy-Authorization` for a proxy URL with user info. */
export function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const creds = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { "proxy-authorization": `Basic ${Buffer.from(creds).toString("base64")}` };
}

// The agent's callback ignores the stream when it gets an error.
const NO_STREAM = undefined as unknown as Duplex;

/** An https.Agent (keep-alive pool included) whose sockets are TLS over a CONNECT tunnel through `proxy`. */
export class TunnelAgent extends https.Agent {
  constructor(
    readonly proxy: URL,
    options: https.AgentOptions,
    private readonly connectTimeoutMs: number,
  ) {
    super(options);
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    let settled = false;
    const done = (err: Error | null, stream: Duplex) => {
      if (!settled) callback?.(err, stream);
      settled = true;
    };
    const host = unbracket(String(options.host ?? options.hostname ?? "localhost"));
    const authority = `${net.isIPv6(host) ? `[${host}]` : host}:${options.port ?? 443}`;
    const proxyPort = this.proxy.port || (this.proxy.protocol === "https:" ? "443" : "80");
    const req = (this.proxy.protocol === "https:" ? https : http).request({
      host: unbracket(this.proxy.hostname),
      port: Number(proxyPort),
      method: "CONNECT",
      path: authority,
      headers: { host: authority, ...proxyAuthorization(this.proxy) },
      agent: false,
      rejectUnauthorized: options.rejectUnauthorized !== false,
    });
    req.setTimeout(this.connectTimeoutMs, () =>
      req.destroy(new Error(`proxy ${this.proxy.host} did not open a tunnel in time`)),
    );
    req.once("connect", (res, socket, head) => {
      req.setTimeout(0);
      if (res.statusCode !== 200) {
        socket.destroy();
        done(
          new RemoteError("unavailable", `proxy ${this.proxy.host} answered ${res.statusCode} to CONNECT`, {
            status: res.statusCode,
            code: "PROXY_REFUSED",
          }),
          NO_STREAM,
        );
        return;
      }
      if (head.length) socket.unshift(head);
      const secure = tls.connect({
        socket,
        servername: net.isIP(host) ? undefined : host,
        rejectUnauthorized: options.rejectUnauthorized !== false,
        ca: options.ca,
        ALPNProtocols: ["http/1.1"],
      });
      done(null, secure);
    });
    req.on("error", (e) => done(e, NO_STREAM));
    req.end();
    return undefined;
  }
}
