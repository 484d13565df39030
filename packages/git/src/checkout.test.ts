import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CadreError } from "@cadre/protocol";
import { createCheckout } from "./checkout.ts";
import { ensureMirror } from "./mirror.ts";
import { commitAll, git, makeRepo, tempDir, writeFiles } from "./test-support.ts";

async function listAll(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

describe("createCheckout", () => {
  it("materializes a commit as a clean standalone repository with no reference to the mirror", async () => {
    const origin = await makeRepo({
      "a.txt": "a\n",
      "bin/run.sh": { content: "#!/bin/sh\n", mode: "exec" },
      link: { symlink: "a.txt" },
    });
    await writeFiles(origin.dir, { "a.txt": "second\n" });
    const second = await commitAll(origin.dir, "second");
    const base = await tempDir("co");
    const mirror = join(base, "mirror.git");
    await ensureMirror(origin.dir, mirror);

    const dest = join(base, "checkouts", origin.commit);
    const res = await createCheckout(mirror, origin.commit, dest);
    expect(res.commit).toBe(origin.commit);
    expect(await readFile(join(dest, "a.txt"), "utf8")).toBe("a\n");
    expect((await stat(join(dest, "bin/run.sh"))).mode & 0o111).not.toBe(0);
    expect(await git(dest, "status", "--porcelain", "--untracked-files=all")).toBe("");
    expect(await git(dest, "rev-parse", "HEAD")).toBe(origin.commit);
    expect(await git(dest, "rev-parse", "--is-shallow-repository")).toBe("true");
    // The later commit is not there: only what the checkout needs.
    await expect(git(dest, "cat-file", "-e", second)).rejects.toThrow();
    // Nothing in .git mentions the mirror (no alternates, remotes or FETCH_HEAD).
    for (const file of await listAll(join(dest, ".git"))) {
      const text = await readFile(file, "latin1");
      expect(text.includes(mirror), file).toBe(false);
    }
    await expect(stat(join(dest, ".git/objects/info/alternates"))).rejects.toThrow();
    expect(await git(dest, "remote")).toBe("");
    // No temporary directories left next to the destination.
    expect(await readdir(join(base, "checkouts"))).toEqual([origin.commit]);
  });

  it("refuses a non-empty destination and an unknown commit", async () => {
    const origin = await makeRepo({ "a.txt": "a\n" });
    const base = await tempDir("co");
    const mirror = join(base, "mirror.git");
    await ensureMirror(origin.dir, mirror);
    const e = await createCheckout(mirror, "f".repeat(40), join(base, "x")).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(CadreError);
    expect((e as CadreError).code).toBe("not_found");
    const e2 = await createCheckout(mirror, origin.commit, origin.dir).catch((err: unknown) => err);
    expect((e2 as CadreError).code).toBe("conflict");
  });
});
