// Tiny node:http servers for what real registries will not do on demand: lie about content, fail with 503 or
// 429, redirect; and an HTTP proxy (CONNECT tunnels and absolute-form forwarding) that counts what it carries.
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";

export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface FakeUpstream {
  host: string;
  url: string;
  requests: Seen[];
  close(): Promise<void>;
}

function track(server: net.Server): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (s: net.Socket) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  return sockets;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}

function closer(server: net.Server, sockets: Set<net.Socket>, extra: Set<net.Socket> = new Set()) {
  return async () => {
    for (const s of [...sockets, ...extra]) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
}

/** A fake upstream answering with `handler`; records every request it sees. */
export async function fakeUpstream(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen[]) => void,
): Promise<FakeUpstream> {
  const requests: Seen[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method!, url: req.url!, headers: req.headers });
    handler(req, res, requests);
  });
  const sockets = track(server);
  const port = await listen(server);
  const host = `127.0.0.1:${port}`;
  return { host, url: `http://${host}`, requests, close: closer(server, sockets) };
}

export interface CountingProxy {
  url: string;
  /** CONNECT targets (`host:port`), one per tunnel opened. */
  connects: string[];
  /** Absolute-form request targets forwarded for http:// URLs. */
  forwards: string[];
  close(): Promise<void>;
}

export async function countingProxy(): Promise<CountingProxy> {
  const connects: string[] = [];
  const forwards: string[] = [];
  const upstreamSockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    forwards.push(req.url!);
    const target = new URL(req.url!);
    const out = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: target.pathname + target.search,
        headers: req.headers,
        agent: false,
      },
      (up) => {
        res.writeHead(up.statusCode!, up.headers);
        up.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    connects.push(req.url!);
    const [host, port] = [
      req.url!.slice(0, req.url!.lastIndexOf(":")),
      req.url!.slice(req.url!.lastIndexOf(":") + 1),
    ];
    const up = net.connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) up.write(head);
      up.pipe(client);
      client.pipe(up);
    });
    upstreamSockets.add(up);
    up.once("close", () => upstreamSockets.delete(up));
    up.on("error", () => client.destroy());
    client.on("error", () => up.destroy());
  });
  const sockets = track(server);
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    forwards,
    close: closer(server, sockets, upstreamSockets),
  };
}
