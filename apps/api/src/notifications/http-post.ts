// Outbound POSTs of the notification methods. A target must be an http(s) URL; the addresses its host
// resolves to are checked against the denied networks at connect time (the checked address is the one
// connected to, so a DNS answer cannot change between check and use); redirects are not followed; the
// request has a deadline; at most EXCERPT_BYTES of the answer are read, the rest is never downloaded.
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";

const EXCERPT_BYTES = 1024;
// Connections are kept for the next delivery to the same receiver; each new one is made to an address the
// lookup below has checked.
const HTTP_AGENT = new http.Agent({ keepAlive: true, maxSockets: 32, timeout: 30_000 });
const HTTPS_AGENT = new https.Agent({ keepAlive: true, maxSockets: 32, timeout: 30_000 });

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | null = null,
    readonly excerpt: string | null = null,
  ) {
    super(message);
  }
}

export interface PostResult {
  statusCode: number;
  excerpt: string;
}

/** The denied networks as a BlockList (CIDRs such as 169.254.0.0/16 or fe80::/10). */
export function deniedNetworks(cidrs: string[]): net.BlockList {
  const list = new net.BlockList();
  for (const c of cidrs) {
    const [addr, bits] = c.split("/");
    const family = net.isIP(addr ?? "");
    if (!family || !/^\d+$/.test(bits ?? "")) throw new Error(`not a network: ${c}`);
    list.addSubnet(addr!, Number(bits), family === 6 ? "ipv6" : "ipv4");
  }
  return list;
}

const isDenied = (list: net.BlockList, address: string) =>
  list.check(address, net.isIP(address) === 6 ? "ipv6" : "ipv4");

/** Checks a target URL's form (and, when its host is an address, the address); the message says why not. */
export function checkTargetUrl(raw: string, denied: net.BlockList): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DeliveryError(`${raw.slice(0, 200)} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new DeliveryError("The URL must start with http:// or https://");
  if (url.username || url.password) throw new DeliveryError("The URL must not carry credentials");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (net.isIP(host) && isDenied(denied, host))
    throw new DeliveryError(`${host} is in a network notifications may not reach`);
  return url;
}

/** Resolves like dns.lookup, refusing any denied address. */
function guardedLookup(denied: net.BlockList): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 0);
      const list = addresses as dns.LookupAddress[];
      const bad = list.find((a) => isDenied(denied, a.address));
      if (bad)
        return callback(
          Object.assign(
            new Error(`${hostname} resolves to ${bad.address}, in a network notifications may not reach`),
            {
              code: "EDENIED",
            },
          ),
          "",
          0,
        );
      if ((options as { all?: boolean }).all) return (callback as any)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** POSTs `body`; resolves for a 2xx answer, throws DeliveryError for anything else. */
export async function post(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  opts: { timeoutMs: number; denied: net.BlockList },
): Promise<PostResult> {
  const url = checkTargetUrl(rawUrl, opts.denied);
  const mod = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: DeliveryError | null, result?: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(result!);
    };
    const req = mod.request(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          ...headers,
        },
        lookup: guardedLookup(opts.denied),
        agent: url.protocol === "https:" ? HTTPS_AGENT : HTTP_AGENT,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          const excerpt = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString("utf8");
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) finish(null, { statusCode: status, excerpt });
          else finish(new DeliveryError(`The target answered ${status}`, status, excerpt));
        };
        res.on("data", (c: Buffer) => {
          if (size < EXCERPT_BYTES) chunks.push(c);
          size += c.length;
          // A long answer is cut off here: its connection is closed, not read to the end.
          if (size >= EXCERPT_BYTES) {
            done();
            res.destroy();
          }
        });
        res.on("end", done);
        res.on("error", () => done());
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish(new DeliveryError(`No answer within ${opts.timeoutMs / 1000} s`));
    }, opts.timeoutMs);
    req.on("error", (e: NodeJS.ErrnoException) => finish(new DeliveryError(e.message)));
    req.end(body);
  });
}
