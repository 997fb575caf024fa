// The admin commands' database: the configured DATABASE_URL, or the embedded database a running server
// holds under DATA_DIR. Null (with the reason printed) when there is neither.
import type { Config } from "../config/config.js";
import { connectDatabase, type Database } from "./database.js";
import { runningEmbeddedUrl } from "./embedded-postgres.js";

export function connectCliDatabase(config: Config, max = 2): Database | null {
  const url = config.DATABASE_URL ?? runningEmbeddedUrl(config.DATA_DIR);
  if (!url) {
    console.error(
      `no database: set DATABASE_URL, or start the server (its embedded database under ${config.DATA_DIR})`,
    );
    return null;
  }
  return connectDatabase(url, max);
}
