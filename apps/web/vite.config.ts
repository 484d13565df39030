import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The server serves dist/ at `/` (apps/server/src/web-assets.ts); `npm run dev` proxies the API to a running `cadre serve`.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      // zod's comments carry pure-annotations rollup cannot place; they are harmless noise.
      onwarn(warning, warn) {
        if (warning.code === "INVALID_ANNOTATION") return;
        warn(warning);
      },
    },
  },
  server: { proxy: { "/api": process.env.CADRE_URL ?? "http://127.0.0.1:7700" } },
});
