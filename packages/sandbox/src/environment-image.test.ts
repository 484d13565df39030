import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assertDevcontainerImageAllowed, localFileRoots } from "./environment-image.ts";

describe("image files a repository's devcontainer.json names", () => {
  const dir = mkdtempSync(join(tmpdir(), "cadre-dc-roots-"));
  const open = join(dir, "open");
  const closed = join(dir, "closed");
  mkdirSync(open);
  mkdirSync(closed);
  writeFileSync(join(open, "app.tar"), "");
  writeFileSync(join(closed, "secret.tar"), "");
  symlinkSync(join(closed, "secret.tar"), join(open, "link.tar"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("are allowed under the opened roots, registry images anywhere", async () => {
    const roots = await localFileRoots(`${open}:relative/ignored`);
    expect(roots).toHaveLength(1);
    await assertDevcontainerImageAllowed(`oci-archive:${join(open, "app.tar")}:lua`, roots);
    await assertDevcontainerImageAllowed("docker://registry.example.com/team/app:1", []);
  });

  it("are refused elsewhere, through a link too, saying what to do", async () => {
    const roots = await localFileRoots(open);
    await expect(assertDevcontainerImageAllowed(`oci-archive:${join(closed, "secret.tar")}`, roots)).rejects.toThrow(
      /devcontainer\.json .*CADRE_LOCAL_REPO_ROOTS.*name a registry image/,
    );
    await expect(assertDevcontainerImageAllowed(`oci-archive:${join(open, "link.tar")}`, roots)).rejects.toThrow(
      /outside the directories opened to members/,
    );
    await expect(assertDevcontainerImageAllowed(`oci:${open}-sibling`, roots)).rejects.toThrow(/opened to members/);
  });
});
