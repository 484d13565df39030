import { CadreError } from "@cadre/protocol";
import { splitNul } from "./git-dir.ts";
import { formatPatch, formatPatchFile, parsePatch, patchFilePath, type PatchFile } from "./patch.ts";
import { runGit } from "./run-git.ts";
import { assertSafeRelPath } from "./safety.ts";
import { STATUS_ENV, workTreeRoot, workTreeStatus } from "./work-tree-status.ts";

export interface ApplyPatchInput {
  /** Any directory inside the target work tree; patch paths are relative to its root. */
  cwd: string;
  patch: string;
  /** Fall back to a three-way merge (leaving conflict markers) when the patch does not apply as is. */
  threeWay: boolean;
}

export interface ApplyPatchResult {
  /** Files changed cleanly. */
  applied: string[];
  /** Files merged with conflicts (markers in the file, unmerged index entries). */
  conflicted: string[];
  /** Files left alone because the work tree already has their changes. */
  skipped: string[];
}

const APPLY_FLAGS = ["apply", "--whitespace=nowarn"];

async function check(root: string, patch: string, flags: string[]): Promise<{ ok: boolean; error: string }> {
  const res = await runGit([...APPLY_FLAGS, "--check", ...flags], { cwd: root, input: patch, okCodes: [0, 1, 128] });
  return { ok: res.code === 0, error: res.stderr.trim() };
}

function touchedPaths(files: PatchFile[]): string[] {
  const set = new Set<string>();
  for (const f of files) {
    if (f.oldPath !== null) set.add(f.oldPath);
    if (f.newPath !== null) set.add(f.newPath);
  }
  return [...set];
}

/**
 * Applies a git patch to a local work tree, staging the result (like `git apply --index`/`--3way`).
 *
 * Nothing is written unless the whole patch can go in: the touched paths must have no local
 * changes (staged, unstaged or untracked files in the way), and `git apply --check` (per file,
 * with a `--3way` check for files that need a merge) must pass; otherwise CadreError("conflict")
 * lists the paths. Files whose changes are already present are skipped. With `threeWay`, files
 * that need a merge get conflict markers and unmerged index entries and are reported as conflicted.
 */
export async function applyPatchToWorkTree(input: ApplyPatchInput): Promise<ApplyPatchResult> {
  const root = await workTreeRoot(input.cwd);
  const files = parsePatch(input.patch);
  if (files.length === 0) {
    if (input.patch.trim()) throw new CadreError("bad_request", "the patch contains no file changes");
    return { applied: [], conflicted: [], skipped: [] };
  }
  const touched = touchedPaths(files);
  for (const p of touched) assertSafeRelPath(p);

  // 1. Local changes in the way?
  const status = await workTreeStatus(root, { paths: touched });
  if (status.entries.length > 0) {
    const dirty = [...new Set(status.entries.map((e) => e.path))].sort();
    throw new CadreError(
      "conflict",
      `local changes would be overwritten in: ${dirty.join(", ")}. Commit or stash them (or choose other files) and try again; nothing was changed`,
      { paths: dirty },
    );
  }

  // 2. Preflight: the whole patch at once, else file by file.
  const skipped: string[] = [];
  let toApply = files;
  if (!(await check(root, input.patch, ["--index"])).ok) {
    const failures: { path: string; error: string }[] = [];
    toApply = [];
    for (const file of files) {
      const text = formatPatchFile(file);
      if ((await check(root, text, ["--index"])).ok) {
        toApply.push(file);
        continue;
      }
      if ((await check(root, text, ["--index", "--reverse"])).ok) {
        skipped.push(patchFilePath(file));
        continue;
      }
      const threeWay = input.threeWay ? await check(root, text, ["--3way"]) : null;
      if (threeWay?.ok) toApply.push(file);
      else {
        const plain = await check(root, text, ["--index"]);
        failures.push({
          path: patchFilePath(file),
          error: (threeWay?.error || plain.error).split("\n").filter(Boolean).pop() ?? "does not apply",
        });
      }
    }
    if (failures.length > 0) {
      throw new CadreError(
        "conflict",
        `the patch does not apply to ${failures.map((f) => f.path).join(", ")} (${failures.map((f) => `${f.path}: ${f.error}`).join("; ")}); nothing was changed`,
        { failures },
      );
    }
  }
  if (toApply.length === 0) return { applied: [], conflicted: [], skipped };

  // 3. Apply.
  const patch = toApply.length === files.length ? input.patch : formatPatch(toApply);
  const res = await runGit([...APPLY_FLAGS, input.threeWay ? "--3way" : "--index"], {
    cwd: root,
    input: patch,
    okCodes: [0, 1],
  });
  const unmergedOut = await runGit(["--literal-pathspecs", "ls-files", "-u", "-z", "--", ...touchedPaths(toApply)], {
    cwd: root,
    env: STATUS_ENV,
  });
  const unmerged = new Set(splitNul(unmergedOut.stdout).map((l) => l.slice(l.indexOf("\t") + 1)));
  if (res.code !== 0 && unmerged.size === 0) {
    throw new CadreError(
      "git_failed",
      `git apply failed after a successful check: ${res.stderr.trim()}; nothing was changed`,
    );
  }
  const applied: string[] = [];
  const conflicted: string[] = [];
  for (const file of toApply) {
    const path = patchFilePath(file);
    if (unmerged.has(path) || (file.oldPath !== null && unmerged.has(file.oldPath))) conflicted.push(path);
    else applied.push(path);
  }
  return { applied, conflicted, skipped };
}
