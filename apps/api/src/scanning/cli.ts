// The vulnerability database's admin command: `npm run vulndb -- import PATH [PATH…]` imports OSV records (a
// JSON file, a folder, or the per-ecosystem zip files OSV publishes) into the server's database, then asks
// the scanner to re-match every stored image (a `scan` job: the running server's workers take it at once
// when Redis answers, else within a minute from its record). `npm run vulndb -- status` counts what is there.
import { loadConfig } from "../config/config.js";
import { connectCliDatabase } from "../infra/cli-database.js";
import { createLogger } from "../infra/logger.js";
import { createMetrics } from "../infra/metrics.js";
import { JobSystem } from "../jobs/job-system.js";
import { importOsv } from "./feeds/import.js";

async function main(command: string | undefined, paths: string[]): Promise<number> {
  if ((command !== "import" || !paths.length) && command !== "status") {
    console.error("usage: npm run vulndb -- import PATH [PATH…] | status");
    return 2;
  }
  const config = loadConfig();
  const db = connectCliDatabase(config, 4);
  if (!db) return 2;
  try {
    if (command === "status") {
      const [records, affected, scanned] = await Promise.all([
        db.prisma.vulnerability.count(),
        db.prisma.vulnerabilityAffected.count(),
        db.prisma.manifestSecurity.count({ where: { status: "scanned" } }),
      ]);
      console.log(`vulndb: ${records} records, ${affected} affected packages; ${scanned} scanned manifests`);
      return 0;
    }
    let changed = 0;
    let invalid = 0;
    for (const p of paths) {
      const r = await importOsv(db.pool, p, { log: (m) => console.log(m) });
      changed += r.changedIds.length;
      invalid += r.invalid.length;
      for (const i of r.invalid.slice(0, 20))
        console.log(`invalid: ${i.source}${i.id ? ` ${i.id}` : ""}: ${i.reason}`);
      console.log(
        `import ${p}: ${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged, ` +
          `${r.withdrawn} withdrawn, ${r.removed} removed, ${r.invalid.length} invalid`,
      );
    }
    if (changed) {
      const log = createLogger("warn");
      const jobs = new JobSystem(
        db.prisma,
        db.pool,
        config.REDIS_URL,
        config.REDIS_PREFIX,
        log,
        createMetrics(),
      );
      try {
        await jobs.enqueue("scan", "rematch", {});
      } finally {
        await jobs.close();
      }
      console.log("re-match of stored images queued");
    }
    if (invalid) console.log(`${invalid} invalid records were skipped (listed above, first 20 per path)`);
    return 0;
  } finally {
    await db.close();
  }
}

process.exitCode = await main(process.argv[2], process.argv.slice(3));
