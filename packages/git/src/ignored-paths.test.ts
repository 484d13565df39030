import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ignoredPaths } from "./ignored-paths.ts";
import { makeRepo, tempDir } from "./test-support.ts";

describe("ignoredPaths", () => {
  it("answers per path, in order, for names that are pathspec magic, options or not UTF-8", async () => {
    const repo = await makeRepo({ ".gitignore": "*.log\n:colon\n-dash\nbuild/\n!keep.log\n" });
    await mkdir(join(repo.dir, "build"), { recursive: true });
    const paths = [
      "a.log",
      "keep.log",
      ":colon",
      ":!a.log",
      "-dash",
      "src/main.ts",
      "build/out.js",
      "line\nbreak.log",
      Buffer.from([0x6e, 0xe9, 0x2e, 0x6c, 0x6f, 0x67]),
      Buffer.from([0x6e, 0xe9]),
    ];
    expect(await ignoredPaths({ gitDir: repo.gitDir, workTree: repo.dir, paths })).toEqual([
      true,
      false,
      true,
      true,
      true,
      false,
      true,
      true,
      true,
      false,
    ]);
  });

  it("reads no ignore file of the host user", async () => {
    const repo = await makeRepo({ "a.txt": "a\n" });
    const home = await tempDir("home");
    await mkdir(join(home, ".config", "git"), { recursive: true });
    await writeFile(join(home, ".config", "git", "ignore"), "*.txt\n");
    const before = process.env.HOME;
    process.env.HOME = home;
    try {
      expect(await ignoredPaths({ gitDir: repo.gitDir, workTree: repo.dir, paths: ["b.txt"] })).toEqual([false]);
    } finally {
      process.env.HOME = before;
    }
  });
});
