import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../support/cadre-process.ts";

const WEB = join(REPO_ROOT, "apps", "web");

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

/** Builds apps/web/dist when it is missing or older than the app's sources (the server serves dist). */
export function ensureWebBuilt(): void {
  const index = join(WEB, "dist", "index.html");
  const sources = Math.max(
    newest(join(WEB, "src")),
    ...["index.html", "vite.config.ts", "package.json"].map((f) => statSync(join(WEB, f)).mtimeMs),
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync("npm", ["run", "build", "-w", "@cadre/web"], { cwd: REPO_ROOT, stdio: "pipe", timeout: 180_000 });
}
