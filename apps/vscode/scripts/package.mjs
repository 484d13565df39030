// Builds the bundle and packages it as dist/cadre-vscode.vsix, offline.
// vsce packs a staging folder holding only the bundle and a manifest: the workspace's own
// package.json has a scoped npm name (not a valid extension name) and workspace dependencies
// that are already inside the bundle.
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createVSIX } from "@vscode/vsce";
import { APP_DIR, buildExtension } from "./build.mjs";

await buildExtension();
const stage = join(APP_DIR, "dist/stage");
await rm(stage, { recursive: true, force: true });
await mkdir(join(stage, "dist"), { recursive: true });
const pkg = JSON.parse(await readFile(join(APP_DIR, "package.json"), "utf8"));
const manifest = {
  name: "cadre-vscode",
  displayName: pkg.displayName,
  description: pkg.description,
  version: pkg.version,
  publisher: pkg.publisher,
  license: pkg.license,
  engines: pkg.engines,
  categories: pkg.categories,
  main: pkg.main,
  activationEvents: pkg.activationEvents,
  contributes: pkg.contributes,
};
await writeFile(join(stage, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
await copyFile(join(APP_DIR, "dist/extension.js"), join(stage, "dist/extension.js"));
await copyFile(join(APP_DIR, "README.md"), join(stage, "README.md"));
await mkdir(join(stage, "resources"), { recursive: true });
await copyFile(join(APP_DIR, "resources/cadre.svg"), join(stage, "resources/cadre.svg"));
await writeFile(join(stage, ".vscodeignore"), "**/*.map\n");
const out = join(APP_DIR, "dist/cadre-vscode.vsix");
await createVSIX({
  cwd: stage,
  packagePath: out,
  dependencies: false,
  allowMissingRepository: true,
  skipLicense: true,
  allowStarActivation: false,
});
console.log(`packaged ${out}`);
