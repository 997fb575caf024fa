import { defineConfig } from "vite";

// The dev server proxies the API so the console can be worked on against a running system.
const api = process.env.API_URL ?? "http://127.0.0.1:8080";
export default defineConfig({
  server: { proxy: { "/graphql": api, "/v2": api, "/c1": api, "/health": api } },
  build: { outDir: "dist", sourcemap: true, chunkSizeWarningLimit: 2000 },
});
