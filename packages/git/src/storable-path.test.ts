import { rm } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runGit } from "./run-git.ts";
import { unstorablePathReason } from "./storable-path.ts";
import { tempDir } from "./test-support.ts";

const EMPTY_BLOB = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";

/** Names git may or may not store; the answers come from git itself. */
const NAMES: string[] = [
  "plain.txt",
  "dir/file",
  "-leading-dash",
  ":leading-colon",
  ":(top)magic",
  "with\nnewline",
  "with\ttab",
  'with"quote',
  "with'quote",
  "back\\slash",
  "trailing space ",
  "sub/.git",
  "sub/.git/config",
  ".git",
  ".GIT/x",
  ".Git",
  ".git.",
  ".git ",
  ".git. . /x",
  ".git::$INDEX_ALLOCATION/x",
  "git~1/x",
  "GIT~1",
  "git~2/x",
  "a\\.git",
  "a\\git~1\\b",
  ".gitx",
  ".gitignore",
  ".gitmodules",
  ".gitmodules ",
  "gitmod~1",
  "gi7eba~1",
  ".",
  "..",
  "a/./b",
  "a/../b",
  "...",
  "..a",
  "a//b",
  "a/",
  "/abs",
  "",
  "é-unicode",
  "\u200c.git",
];

/** update-index skips a path it refuses ("Ignoring path"): whether the entry made it into a fresh index. */
async function gitStores(gitDir: string, name: Buffer, mode: string, index: string): Promise<boolean> {
  const env = { GIT_INDEX_FILE: index };
  await rm(index, { force: true });
  const line = Buffer.concat([Buffer.from(`${mode} ${EMPTY_BLOB}\t`), name, Buffer.from([0])]);
  await runGit([`--git-dir=${gitDir}`, "update-index", "-z", "--add", "--index-info"], { input: line, env });
  const listed = await runGit([`--git-dir=${gitDir}`, "ls-files", "-z"], { env });
  return listed.stdout.length > 0;
}

describe("unstorablePathReason", () => {
  it("agrees with git on which names it can store, as files and as symlinks", async () => {
    const dir = await tempDir("names");
    await runGit(["init", "-q", "--bare", dir]);
    const names = [...NAMES.map((n) => Buffer.from(n)), Buffer.from([0x6e, 0xff, 0xfe, 0x2e, 0x74])];
    for (const mode of ["100644", "120000"] as const) {
      for (const name of names) {
        const expected = await gitStores(dir, name, mode, join(dir, "scratch-index"));
        expect(unstorablePathReason(name, mode) === null, `${JSON.stringify(name.toString())} as ${mode}`).toBe(
          expected,
        );
      }
    }
  });

  it("names the reason", () => {
    expect(unstorablePathReason("vendor/lib/.git/config", "100644")).toMatch(/\.git/);
    expect(unstorablePathReason("a/../b", "100644")).toMatch(/'\.\.'/);
    expect(unstorablePathReason("-x", "100644")).toBeNull();
  });
});
