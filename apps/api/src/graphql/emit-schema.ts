// Writes the SDL to packages/schema/schema.graphql (committed; a test fails when it drifts).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { printSchema } from "graphql";
import { buildGraphQLSchema } from "./schema.js";

export const SCHEMA_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../packages/schema/schema.graphql",
);

export async function printCurrentSchema(): Promise<string> {
  return `# Generated from apps/api resolvers by \`npm run emit-schema -w @hm/api\`. Do not edit.\n\n${printSchema(await buildGraphQLSchema())}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  fs.writeFileSync(SCHEMA_FILE, await printCurrentSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
