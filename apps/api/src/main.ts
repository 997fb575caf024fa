// Entry point: everything in one process (HTTP + workers). `worker.ts` runs workers alone.
import { runEntryPoint } from "./app/entry.js";

await runEntryPoint({ http: true, workers: true });
