import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { matchSelection, parsePatch } from "@cadre/git";
import { parseUnifiedDiff } from "../../../apps/web/src/lib/unified-diff.ts";
import { buildPatch, countSelection, type HunkSelection } from "../../../apps/web/src/lib/build-patch.ts";

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
const LINES = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);

/** A change with every kind of file: two hunks, a new file, a deletion, a rename, a binary file, a mode change. */
async function change(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "cadre-contract-"));
  dirs.push(dir);
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: dir,
      encoding: "utf8",
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@x",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@x",
      },
    });
  git("init", "-q", "-b", "main");
  await writeFile(join(dir, "lines.txt"), `${LINES.join("\n")}\n`);
  await writeFile(join(dir, "old.txt"), "going away\n");
  await writeFile(join(dir, "moved.txt"), `${LINES.slice(0, 10).join("\n")}\n`);
  await writeFile(join(dir, "run.sh"), "echo hi\n");
  git("add", "-A");
  git("commit", "-qm", "base");
  await writeFile(
    join(dir, "lines.txt"),
    `${LINES.map((l, i) => (i === 2 ? "THREE" : i === 26 ? "TWENTY-SEVEN" : l)).join("\n")}\n`,
  );
  await writeFile(join(dir, "new.txt"), "brand new\n");
  await writeFile(join(dir, "logo.bin"), Buffer.from([0, 1, 2, 255, 0]));
  git("rm", "-q", "old.txt");
  git("mv", "moved.txt", "renamed.txt");
  await chmod(join(dir, "run.sh"), 0o755);
  git("add", "-A");
  git("commit", "-qm", "change");
  return git(
    "diff",
    "-M",
    "--binary",
    "--full-index",
    "--no-ext-diff",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "HEAD^",
    "HEAD",
  );
}

/**
 * The web app builds the patch of accepted hunks itself; the server then matches it against the
 * attempt's own diff. Every kind of file the web diff shows must survive that round trip.
 */
describe("the web diff's patch of accepted hunks is what the server recognises", () => {
  it("matches every subset the web app can build, with the same counts", async () => {
    const patch = await change();
    const webFiles = parseUnifiedDiff(patch);
    const serverFiles = parsePatch(patch);
    expect(webFiles.map((f) => f.path).sort()).toEqual(serverFiles.map((f) => f.newPath ?? f.oldPath).sort());
    const units = webFiles.flatMap((f) =>
      f.hunks.length > 1 ? f.hunks.map((_, i) => [f.path, i] as const) : [[f.path, 0] as const],
    );
    expect(units).toHaveLength(7);
    // Each unit alone, all but each unit, and everything.
    const choices: HunkSelection[] = [
      ...units.map(([path, i]) => skipAllBut(webFiles, path, i)),
      ...units.map(([path, i]) => new Map([[path, new Set([i])]])),
      new Map(),
    ];
    for (const skipped of choices) {
      const built = buildPatch(webFiles, skipped);
      const match = matchSelection(serverFiles, parsePatch(built));
      expect(match.unmatched, built).toEqual([]);
      expect(match.counts).toEqual(countSelection(webFiles, skipped));
    }
  });
});

function skipAllBut(files: ReturnType<typeof parseUnifiedDiff>, keepPath: string, keep: number): HunkSelection {
  return new Map(
    files.map((f) => {
      const n = Math.max(f.hunks.length, 1);
      const all = Array.from({ length: n }, (_, i) => i);
      return [f.path, new Set(all.filter((i) => !(f.path === keepPath && i === keep)))];
    }),
  );
}
