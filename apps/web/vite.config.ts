import { defineConfig } from "vite";

// The dev server proxies the API so the console can be worked on against a running system.
const api = process.env.API_URL ?? "http://127.0.0.1:8080";
export default defineConfig({
  // /graphql carries subscriptions (a build's live log) over WebSocket too; /userfiles takes build uploads.
  server: {
    proxy: {
      "/graphql": { target: api, ws: true },
      "/v2": api,
      "/c1": api,
      "/health": api,
      "/userfiles": api,
    },
  },
  build: { outDir: "dist", sourcemap: true, chunkSizeWarningLimit: 2000 },
});
