// Entry point for scaling out: Bull workers only, no HTTP.
import { runEntryPoint } from "./app/entry.js";

await runEntryPoint({ http: false, workers: true });
