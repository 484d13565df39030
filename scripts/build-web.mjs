// Builds the web app into apps/web/dist when its sources are newer than the last build.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const web = join(import.meta.dirname, "..", "apps", "web");
const dist = join(web, "dist", "index.html");
const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    if (e.name === "node_modules" || e.name === "dist") return m;
    const p = join(dir, e.name);
    return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);
const packages = join(import.meta.dirname, "..", "packages");
const stale =
  !existsSync(dist) ||
  Math.max(newest(web), newest(join(packages, "protocol")), newest(join(packages, "client"))) > statSync(dist).mtimeMs;
if (stale && existsSync(join(web, "package.json"))) {
  console.error("cadre: building the web app...");
  execFileSync("npm", ["run", "build", "-w", "@cadre/web"], { stdio: "inherit" });
}
