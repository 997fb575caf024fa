// A thin wrapper around @prisma/adapter-pg for the Prisma CLI only (the app uses the plain adapter).
// It fixes the four problems recorded in ../shared/notes/prisma-offline.md:
//  1. catalog columns of type "char" (OID 18) and name (OID 19) are relabelled as text (OID 25);
//  2. a migration script is sent whole, as one simple-protocol query (atomic, `$$` bodies intact);
//  3. the shadow database gets its own connection URL (node-postgres lets connectionString win);
//  4. long timers armed by the WASM engine are unref'd so the CLI exits promptly.
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";

const TEXT_OID = 25;
const RELABEL = new Set([18, 19]);

type Fields = { dataTypeID: number }[];
function relabel<T>(result: T): T {
  for (const r of Array.isArray(result) ? result : [result]) {
    const fields = (r as { fields?: Fields } | undefined)?.fields;
    if (fields) for (const f of fields) if (RELABEL.has(f.dataTypeID)) f.dataTypeID = TEXT_OID;
  }
  return result;
}

class RelabellingClient extends pg.Client {
  // pg's Pool calls query() with a callback; direct callers use the promise form. Handle both.
  override query(...args: unknown[]): never {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      args[args.length - 1] = (err: unknown, res: unknown) =>
        (last as (e: unknown, r: unknown) => void)(err, err ? res : relabel(res));
      return (super.query as (...a: unknown[]) => never)(...args);
    }
    const out = (super.query as (...a: unknown[]) => unknown)(...args);
    return (out instanceof Promise ? out.then(relabel) : out) as never;
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;
function sendScriptsWhole(adapter: Adapter, pool: pg.Pool): Adapter {
  adapter.executeScript = async (script: string) => {
    await pool.query(script); // simple protocol: one implicit transaction for the whole script
  };
  return adapter;
}

class CliPrismaPg extends PrismaPg {
  constructor(private readonly url: string) {
    super(new pg.Pool({ connectionString: url, Client: RelabellingClient, max: 4 }));
  }
  private pool(url: string) {
    return new pg.Pool({ connectionString: url, Client: RelabellingClient, max: 4 });
  }
  override async connect() {
    const pool = this.pool(this.url);
    const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
    return sendScriptsWhole(adapter, pool);
  }
  override async connectToShadowDb() {
    const shadowUrl = process.env.SHADOW_DATABASE_URL;
    const database = shadowUrl
      ? new URL(shadowUrl).pathname.slice(1)
      : `prisma_shadow_${process.pid}_${Date.now()}`;
    if (shadowUrl && shadowUrl === this.url)
      throw new Error("SHADOW_DATABASE_URL must differ from DATABASE_URL");
    const admin = new pg.Client({ connectionString: this.url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${database}"`);
    await admin.end();
    const pool = this.pool(withDatabase(this.url, database));
    const adapter = await new PrismaPg(pool).connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await pool.end();
      const c = new pg.Client({ connectionString: this.url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await c.end();
    };
    return sendScriptsWhole(adapter, pool);
  }
}

function unrefLongTimers() {
  const original = globalThis.setTimeout;
  const patched = ((fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) => {
    const t = original(fn, ms, ...rest);
    if ((ms ?? 0) >= 5000) t.unref?.();
    return t;
  }) as typeof setTimeout;
  globalThis.setTimeout = Object.assign(patched, original);
}

export function cliAdapter(url: string) {
  unrefLongTimers();
  return new CliPrismaPg(url);
}
