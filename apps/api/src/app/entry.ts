import { ConfigError, loadConfig } from "../config/config.js";
import { startSystem, type SystemOptions } from "./system.js";

/** Loads config, starts the system, stops cleanly on SIGINT/SIGTERM. Config errors are one line. */
export async function runEntryPoint(opts: SystemOptions): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const system = await startSystem(config, { ...opts, workers: opts.workers && config.RUN_WORKERS }).catch(
    (e: Error) => {
      console.error(`start-up failed: ${e.message}`);
      process.exit(1);
    },
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await system.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
