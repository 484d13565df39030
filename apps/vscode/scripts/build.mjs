// Bundles the extension into one CommonJS file: VS Code 1.100 loads extensions with require(),
// and `vscode` is provided by the editor at run time.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

export async function buildExtension() {
  await build({
    entryPoints: [join(APP_DIR, "src/vscode/extension.ts")],
    outfile: join(APP_DIR, "dist/extension.js"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["vscode"],
    sourcemap: true,
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildExtension();
