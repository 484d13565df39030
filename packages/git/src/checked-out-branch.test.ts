import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { checkedOutBranch } from "./checked-out-branch.ts";
import { pushRefs } from "./push.ts";
import { commitAll, git, makeRepo, tempDir, writeFiles } from "./test-support.ts";

/** A working checkout (the person's) and a bare copy Cadre pushes from. */
async function checkout() {
  const person = await makeRepo({ "a.txt": "a\n" }, "person");
  const cadre = await tempDir("cadre");
  await git(cadre, "clone", "-q", "--bare", person.dir, "m.git");
  const mirror = join(cadre, "m.git");
  const work = await tempDir("work");
  await git(work, "clone", "-q", mirror, ".");
  await writeFiles(work, { "a.txt": "a\nfrom cadre\n" });
  const next = await commitAll(work, "cadre change");
  await git(work, "push", "-q", "origin", "HEAD:refs/heads/delivered");
  return { person, mirror, next };
}

describe("checkedOutBranch and pushes into a checkout", () => {
  it("finds the checked-out branch of a local checkout (path or file URL), not of a bare repo or other branches", async () => {
    const { person, mirror } = await checkout();
    expect(await checkedOutBranch(person.dir, "main")).toEqual({ workTree: person.dir, changed: [] });
    expect(await checkedOutBranch(pathToFileURL(person.dir).href, "main")).toMatchObject({ workTree: person.dir });
    expect(await checkedOutBranch(person.dir, "other")).toBeNull();
    expect(await checkedOutBranch(mirror, "main")).toBeNull();
    expect(await checkedOutBranch("https://example.com/x.git", "main")).toBeNull();
    await writeFile(join(person.dir, "a.txt"), "edited\n");
    await writeFile(join(person.dir, "untracked.txt"), "u\n");
    expect(await checkedOutBranch(person.dir, "main")).toEqual({ workTree: person.dir, changed: ["a.txt"] });
  });

  it("updates a clean checked-out branch and its files when asked, expecting its old head", async () => {
    const { person, mirror, next } = await checkout();
    const plain = await pushRefs(mirror, person.dir, [{ src: next, dst: "main", expect: person.commit }]).catch(
      (e: Error) => e,
    );
    expect(plain).toMatchObject({ code: "conflict", message: expect.stringMatching(/checked out/) });
    await pushRefs(mirror, person.dir, [{ src: next, dst: "main", expect: person.commit }], { updateCheckedOut: true });
    expect(await git(person.dir, "rev-parse", "HEAD")).toBe(next);
    expect(await readFile(join(person.dir, "a.txt"), "utf8")).toBe("a\nfrom cadre\n");
    expect(await git(person.dir, "status", "--porcelain")).toBe("");
  });

  it("refuses a lease that no longer holds and a dirty checkout, changing nothing", async () => {
    const { person, mirror, next } = await checkout();
    const stale = await pushRefs(mirror, person.dir, [{ src: next, dst: "main", expect: next }], {
      updateCheckedOut: true,
    }).catch((e: Error) => e);
    expect(stale).toMatchObject({ code: "conflict" });
    const created = await pushRefs(mirror, person.dir, [{ src: next, dst: "fresh", expect: null }]);
    expect(created[0]?.status).toBe("created");
    const again = await pushRefs(mirror, person.dir, [{ src: person.commit, dst: "fresh", expect: null }]).catch(
      (e: Error) => e,
    );
    expect(again).toMatchObject({ code: "conflict" });
    await writeFile(join(person.dir, "a.txt"), "mine\n");
    const dirty = await pushRefs(mirror, person.dir, [{ src: next, dst: "main", expect: person.commit }], {
      updateCheckedOut: true,
    }).catch((e: Error) => e);
    expect(dirty).toMatchObject({ code: "conflict", message: expect.stringMatching(/checked out/) });
    expect(await git(person.dir, "rev-parse", "HEAD", "fresh")).toBe(`${person.commit}\n${next}`);
    expect(await readFile(join(person.dir, "a.txt"), "utf8")).toBe("mine\n");
  });
});
