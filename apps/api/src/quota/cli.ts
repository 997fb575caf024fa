// The quota's admin command: `npm run quota -- verify` recomputes every repository's size from its tag rows
// and lists any that differ from the kept one (exit 1 when one does); `npm run quota -- backfill` sets every
// size from scratch, then verifies. It reads the server's configuration (DATABASE_URL, or the embedded
// database a server runs under DATA_DIR).
import { loadConfig } from "../config/config.js";
import { connectCliDatabase } from "../infra/cli-database.js";
import { QuotaSql } from "./quota-sql.js";

async function main(command: string | undefined): Promise<number> {
  if (command !== "verify" && command !== "backfill") {
    console.error("usage: npm run quota -- verify | backfill");
    return 2;
  }
  const config = loadConfig();
  const db = connectCliDatabase(config);
  if (!db) return 2;
  try {
    const sql = new QuotaSql(db.prisma);
    if (command === "backfill") {
      await sql.backfill();
      console.log("backfill: every repository's size and counted flags set from its tag rows");
    }
    const drift = await sql.drift();
    const repositories = await db.prisma.repository.count();
    for (const d of drift)
      console.log(`drift: ${d.repository} kept ${d.kept} bytes, computed ${d.computed} bytes`);
    console.log(`verify: ${repositories} repositories, ${drift.length} with drift`);
    return drift.length ? 1 : 0;
  } finally {
    await db.close();
  }
}

process.exitCode = await main(process.argv[2]);
