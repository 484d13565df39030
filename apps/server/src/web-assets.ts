import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";
import type { AppEnv } from "./app.ts";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

/**
 * The built web app (apps/web/dist) ships with the server and is served at `/`. This module runs
 * from apps/server/src (sources) or from apps/cli/dist (the CLI bundle): both two levels under apps/.
 */
export function webDistDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), "..", "..", "web", "dist");
}

export function serveWebApp(app: Hono<AppEnv>): void {
  const root = webDistDir();
  app.get("*", async (c) => {
    if (c.req.path.startsWith("/api/")) return c.notFound();
    if (!existsSync(join(root, "index.html"))) {
      return c.text("The web app is not built: run 'npm run build -w @cadre/web' (npm start does it for you).", 503);
    }
    // c.req.path is already decoded (a malformed escape never gets this far: see url-escapes.ts).
    const rel = normalize(c.req.path).replace(/^(\.\.[/\\])+/, "");
    const file = join(root, rel);
    if (file.startsWith(root) && extname(file) && existsSync(file)) {
      const body = await readFile(file);
      const cache = rel.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache";
      return c.body(body, 200, {
        "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
        "Cache-Control": cache,
      });
    }
    // Client-side routes fall back to the app shell.
    return c.html(await readFile(join(root, "index.html"), "utf8"));
  });
}
