import { describe, expect, it } from "vitest";
import { generateRepo, generatedPath } from "./generate-repo.ts";
import { git, tempDir } from "./test-support.ts";

describe("generateRepo", () => {
  it("creates a repository with N files in nested folders and one commit on main", async () => {
    const dir = await tempDir("gen");
    const res = await generateRepo(dir, 120);
    expect(res.branch).toBe("main");
    expect(res.paths).toHaveLength(120);
    expect(await git(dir, "rev-parse", "main")).toBe(res.commit);
    expect(await git(dir, "rev-list", "--count", "main")).toBe("1");
    const files = (await git(dir, "ls-files")).split("\n");
    expect(files).toHaveLength(120);
    expect(files).toContain(generatedPath(119));
    expect(generatedPath(119)).toMatch(/^src\/mod\d+\/pkg\d+\/file119\.ts$/);
    expect(await git(dir, "status", "--porcelain")).toBe("");
    // Deterministic.
    const again = await generateRepo(await tempDir("gen"), 120, { bare: true });
    expect(again.commit).toBe(res.commit);
  });
});
