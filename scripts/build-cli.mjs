// Bundles the `cadre` CLI (and the server stack it loads for `cadre serve` / `cadre runner`) into
// apps/cli/dist with esbuild, so a command starts without tsx compiling TypeScript at run time.
// `node scripts/build-cli.mjs` rebuilds when a source is newer than the bundle; `--force` always.
// apps/cli/bin/cadre.js runs the bundle and calls ensureCliBundle() itself when it is stale.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "apps", "cli");
export const CLI_DIST = join(CLI, "dist");
const MANIFEST = join(CLI_DIST, "manifest.json");

/**
 * Kept out of the bundle: PGlite finds its WASM and data files next to its own module
 * (import.meta.url), and pg-native is an optional native addon pg only tries to load.
 */
const EXTERNAL = ["@electric-sql/pglite", "@electric-sql/pglite/*", "pg-native"];

/**
 * zod's namespace re-exports all of its ~50 locales (a third of the code every command would parse);
 * Cadre's messages are English, so the bundle's `z.locales` holds only `en`.
 */
const englishOnlyZod = {
  name: "english-only-zod",
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[/\\]zod[/\\]v4[/\\]/.test(args.importer)
        ? { path: join(dirname(args.importer), "..", "locales", "en.js"), namespace: "zod-locales" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

/** ESM output that still meets CommonJS dependencies calling require() on Node's built-ins. */
const BANNER =
  'import { createRequire as __cadreCreateRequire } from "node:module"; const require = __cadreCreateRequire(import.meta.url);';

/** The workspace sources and the lockfile the current bundle was built from, or null if there is none. */
function readManifest() {
  try {
    return JSON.parse(readFileSync(MANIFEST, "utf8"));
  } catch {
    return null;
  }
}

/** Whether the bundle is missing or older than one of its inputs (a deleted input counts as newer). */
export function cliBundleIsStale() {
  const manifest = readManifest();
  if (!manifest || !Array.isArray(manifest.inputs)) return true;
  for (const input of manifest.inputs) {
    try {
      if (statSync(join(ROOT, input)).mtimeMs > manifest.builtAtMs) return true;
    } catch {
      return true;
    }
  }
  return false;
}

/** Builds into a fresh directory and swaps it in, so a command starting meanwhile never reads half a bundle. */
export async function buildCliBundle() {
  const { build } = await import("esbuild");
  const builtAtMs = Date.now();
  const staging = `${CLI_DIST}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { main: join(CLI, "src", "main.ts") },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20.19",
    outdir: staging,
    // Chunks sit next to main.js: the server finds the web app at ../../web/dist from its module.
    chunkNames: "chunk-[hash]",
    external: EXTERNAL,
    banner: { js: BANNER },
    plugins: [englishOnlyZod],
    // Its "main" build is UMD, whose require() calls esbuild cannot follow; its ESM build bundles.
    alias: { "jsonc-parser": "jsonc-parser/lib/esm/main.js" },
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: "linked",
    metafile: true,
    logLevel: "warning",
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((input) => !input.includes("node_modules/") && !input.startsWith("<"))
    .map((input) => relative(ROOT, resolve(ROOT, input)));
  inputs.push("package-lock.json", "scripts/build-cli.mjs");
  writeFileSync(join(staging, "manifest.json"), JSON.stringify({ builtAtMs, inputs }, null, 1));
  writeFileSync(join(staging, "package.json"), JSON.stringify({ type: "module" }));
  const previous = `${CLI_DIST}.${process.pid}.old`;
  if (existsSync(CLI_DIST)) renameSync(CLI_DIST, previous);
  try {
    renameSync(staging, CLI_DIST);
  } catch (error) {
    // Another command built the same sources at the same time and swapped its bundle in first.
    if (!existsSync(CLI_DIST)) throw error;
    rmSync(staging, { recursive: true, force: true });
  }
  rmSync(previous, { recursive: true, force: true });
}

/** Rebuilds the bundle when it is stale; returns whether it built. */
export async function ensureCliBundle({ force = false, log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  if (!force && !cliBundleIsStale()) return false;
  log("cadre: building the CLI bundle (apps/cli/dist)...");
  mkdirSync(dirname(CLI_DIST), { recursive: true });
  await buildCliBundle();
  return true;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await ensureCliBundle({ force: process.argv.includes("--force") });
}
