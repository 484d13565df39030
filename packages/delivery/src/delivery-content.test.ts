import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gitText, parsePatch, runGit, selectPatch } from "@cadre/git";
import { deliveryContent, type DeliverySource } from "./delivery-content.ts";
import { pushTarget } from "./push-target.ts";

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
const ENV = { GIT_AUTHOR_NAME: "T", GIT_AUTHOR_EMAIL: "t@x", GIT_COMMITTER_NAME: "T", GIT_COMMITTER_EMAIL: "t@x" };
const git = async (cwd: string, ...args: string[]) => (await gitText(args, { cwd, env: ENV })).trim();
const LINES = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
const text = (at: Record<number, string> = {}) => `${LINES.map((l, i) => at[i + 1] ?? l).join("\n")}\n`;
const identities = {
  author: { name: "Ada Lovelace", email: "ada@example.com" },
  committer: { name: "Cadre", email: "cadre@localhost" },
};

/** A repo whose head changes two places of a.txt over two checkpoint commits. */
async function attempt() {
  const dir = await mkdtemp(join(tmpdir(), "cadre-delivery-test-"));
  dirs.push(dir);
  await git(dir, "init", "-q", "-b", "main");
  await writeFile(join(dir, "a.txt"), text());
  await git(dir, "add", "-A");
  await git(dir, "commit", "-qm", "base");
  const base = await git(dir, "rev-parse", "HEAD");
  await writeFile(join(dir, "a.txt"), text({ 2: "TWO" }));
  await git(dir, "commit", "-qam", "Cadre checkpoint");
  await writeFile(join(dir, "a.txt"), text({ 2: "TWO", 18: "EIGHTEEN" }));
  await git(dir, "commit", "-qam", "Cadre checkpoint");
  const head = await git(dir, "rev-parse", "HEAD");
  const source: DeliverySource = {
    taskId: "task_abc",
    title: "fix the numbers.",
    base,
    head,
    attemptIndex: 1,
    summary: "Spelled out two numbers.",
  };
  return { dir, gitDir: join(dir, ".git"), base, head, source };
}

const show = (dir: string, format: string, rev: string) => git(dir, "show", "-s", `--format=${format}`, rev);

describe("deliveryContent", () => {
  it("squashes the whole attempt into one commit by the task's creator, committed by Cadre", async () => {
    const a = await attempt();
    const content = await deliveryContent({ gitDir: a.gitDir, source: a.source, identities });
    expect(await git(a.dir, "rev-parse", `${content.commit}^`)).toBe(a.base);
    expect(await git(a.dir, "rev-parse", `${content.commit}^{tree}`)).toBe(
      await git(a.dir, "rev-parse", `${a.head}^{tree}`),
    );
    expect(await show(a.dir, "%an <%ae>|%cn <%ce>", content.commit)).toBe(
      "Ada Lovelace <ada@example.com>|Cadre <cadre@localhost>",
    );
    expect(await show(a.dir, "%B", content.commit)).toBe(
      "Fix the numbers\n\nSpelled out two numbers.\n\nCadre-Task: task_abc",
    );
    expect(await show(a.dir, "%(trailers:key=Cadre-Task,valueonly)", content.commit)).toBe("task_abc");
    expect(content.selected).toBeUndefined();
  });

  it("delivers exactly the selected hunk and says so in the body", async () => {
    const a = await attempt();
    const change = parsePatch(await git(a.dir, "diff", a.base, a.head));
    const patch = selectPatch(change, { hunks: [{ path: "a.txt", index: 1 }] });
    const content = await deliveryContent({
      gitDir: a.gitDir,
      source: a.source,
      identities,
      selection: { patch, head: a.head },
    });
    expect(await git(a.dir, "show", `${content.commit}:a.txt`)).toBe(text({ 18: "EIGHTEEN" }).trim());
    expect(content.selected).toEqual({ hunks: 1, totalHunks: 2, files: 1, totalFiles: 1 });
    expect(await show(a.dir, "%b", content.commit)).toContain("Delivers 1 of 2 hunks in 1 of 1 file");
  });

  it("refuses a stale selection (another head, an edited hunk) and an empty one", async () => {
    const a = await attempt();
    const whole = await git(a.dir, "diff", a.base, a.head);
    await expect(
      deliveryContent({ gitDir: a.gitDir, source: a.source, identities, selection: { patch: whole, head: a.base } }),
    ).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/no longer matches.*choose them again/),
    });
    const edited = `${whole.replace("+TWO", "+SOMETHING ELSE")}\n`;
    await expect(
      deliveryContent({ gitDir: a.gitDir, source: a.source, identities, selection: { patch: edited } }),
    ).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/a\.txt hunk .* is not part of the change/),
    });
    await expect(
      deliveryContent({ gitDir: a.gitDir, source: a.source, identities, selection: { patch: "just words\n" } }),
    ).rejects.toMatchObject({ code: "bad_request" });
  });
});

describe("pushTarget", () => {
  it("allows a new branch or Cadre's own unmoved one; refuses the default branch and anyone else's", async () => {
    const a = await attempt();
    const own = { kind: "push_branch" as const, branch: "cadre/fix", commit: a.head };
    const base = { gitDir: a.gitDir, defaultBranches: ["main"], taskId: "task_abc" };
    expect(await pushTarget({ ...base, branch: "cadre/new", delivery: null })).toEqual({
      expect: null,
      previous: null,
    });
    await runGit(["branch", "cadre/fix", a.head], { cwd: a.dir });
    expect(await pushTarget({ ...base, branch: "cadre/fix", delivery: own })).toEqual({
      expect: a.head,
      previous: a.head,
    });
    // The message is advice for every surface (the web shows it); the CLI's own command rides apart.
    await expect(pushTarget({ ...base, branch: "main", delivery: null })).rejects.toMatchObject({
      code: "forbidden",
      message: expect.not.stringMatching(/--|cadre /),
      command: "cadre approve task_abc --merge main",
    });
    await expect(pushTarget({ ...base, branch: "cadre/fix", delivery: null })).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/Cadre did not create it.*merge the change into cadre\/fix instead/),
      command: "cadre approve task_abc --merge cadre/fix",
    });
    await expect(
      pushTarget({ ...base, branch: "cadre/fix", delivery: { ...own, commit: a.base } }),
    ).rejects.toMatchObject({ code: "conflict", message: expect.stringMatching(/commits Cadre did not make/) });
  });
});
