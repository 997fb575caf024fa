import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.js";

export type Db = PrismaClient;

export interface Database {
  prisma: PrismaClient;
  pool: pg.Pool;
  close(): Promise<void>;
}

// int8 as JS number where it is a count; Prisma maps BigInt columns itself.
/** `onConnect` runs on each new connection before the pool hands it out (statement warm-ups). */
export function connectDatabase(
  url: string,
  max = 20,
  onConnect?: (client: pg.ClientBase) => Promise<void>,
): Database {
  // Connections live through lulls (pg-pool closes idle ones after 10 s by default): a fresh one pays the
  // parse and planning of every statement again on its first requests.
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 5 * 60_000, onConnect });
  pool.on("error", () => {}); // an idle client dropped by the server: the pool replaces it
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    pool,
    close: async () => {
      await prisma.$disconnect();
      await pool.end().catch(() => {});
    },
  };
}
