// Prisma CLI configuration that downloads nothing: WASM schema engine + pg driver adapter.
// See ../shared/notes/prisma-offline.md. The app itself does not use this file.
import path from "node:path";
import { defineConfig } from "prisma/config";
import { cliAdapter } from "./prisma/cli-adapter.js";

process.env.CHECKPOINT_DISABLE ??= "1";
// The CLI falls back to downloading native engines when it cannot read the datasource: always give it one.
process.env.DATABASE_URL ??= "postgresql://root@127.0.0.1:5432/harbormaster";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  adapter: async () => cliAdapter(process.env.DATABASE_URL!),
});
