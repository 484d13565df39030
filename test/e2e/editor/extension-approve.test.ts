import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { TaskWithAttempts } from "@cadre/protocol";
import { CadreController } from "../../../apps/vscode/src/core/cadre-controller.ts";
import { TaskStore } from "../../../apps/vscode/src/core/task-store.ts";
import { repoForFolder } from "../../../apps/vscode/src/core/workspace-repo.ts";
import { gitIn } from "../../support/fixture-repo.ts";
import { FakeEditorUi } from "./fake-editor-ui.ts";
import { routedScript } from "./routed-script.ts";
import { startCadreStack, type CadreStack } from "./cadre-stack.ts";

const LONG = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
/** Upper-cases two far-apart lines of long.txt: two hunks. */
const twoHunks = (a: number, b: number) =>
  `*** Begin Patch\n*** Update File: long.txt\n@@\n-line ${a}\n+LINE ${a}\n@@\n-line ${b}\n+LINE ${b}\n*** End Patch\n`;
const PAIRS = [
  [2, 28],
  [5, 20],
  [8, 24],
] as const;

describe("VS Code: Approve delivers the whole change or the hunks picked, as one commit", () => {
  let stack: CadreStack;
  let ui: FakeEditorUi;
  let controller: CadreController;

  beforeAll(async () => {
    stack = await startCadreStack(
      routedScript(
        PAIRS.map(([a, b]) => ({
          marker: `LINES_${a}_${b}`,
          steps: [
            { toolCalls: [{ name: "apply_patch", input: twoHunks(a, b) }] },
            { text: `Upper-cased lines ${a} and ${b}.` },
          ],
        })),
      ),
      async (origin) => {
        await writeFile(join(origin, "long.txt"), LONG);
        gitIn(origin, "add", "long.txt");
        gitIn(origin, "commit", "-q", "-m", "add long.txt");
      },
    );
    const match = await repoForFolder(stack.client, stack.clone("workspace"));
    if (!match) throw new Error("the clone was not matched to the server repo");
    ui = new FakeEditorUi();
    const store = new TaskStore(stack.client, match.repo.id);
    controller = new CadreController({ client: stack.client, ui, root: match.root, repo: match.repo, store });
  });
  afterAll(async () => stack?.stop());

  async function finishedTask(title: string, [a, b]: readonly [number, number]): Promise<TaskWithAttempts> {
    const prompt = `${title} LINES_${a}_${b}`;
    let task = await stack.client.call("createTask", { body: { prompt, repo: "calc", title } });
    while (task.status !== "completed") {
      await new Promise((resolve) => setTimeout(resolve, 300));
      task = await stack.client.call("getTask", { params: { id: task.id } });
      if (task.status === "failed" || task.status === "cancelled") throw new Error(`task ${task.status}`);
    }
    return task;
  }

  it("merges the second hunk only into the base branch", async () => {
    const task = await finishedTask("upper-case line 28", PAIRS[0]);
    const before = gitIn(stack.origin, "rev-parse", "main").trim();
    let offered: string[] = [];
    ui.picks.push(
      (items) => items.find((i) => i.value === "merge")?.value,
      (items) => items.find((i) => i.value === "some")?.value,
      (items) => {
        offered = items.map((i) => `${i.label} ${i.description ?? ""}`);
        return [items[1]?.value];
      },
    );
    const approved = await controller.approve(task.id);
    expect(offered).toEqual(["long.txt hunk 1 of 2", "long.txt hunk 2 of 2"]);
    expect(approved?.review.delivery).toMatchObject({
      kind: "merge",
      branch: "main",
      selected: { hunks: 1, totalHunks: 2 },
    });
    expect(ui.last()?.message).toMatch(/^Cadre: merged into main \([0-9a-f]{12}\): 1 of 2 hunks in 1 of 1 file\.$/);
    // The origin is a working checkout with main checked out and clean: its files follow.
    expect(gitIn(stack.origin, "rev-parse", "main^").trim()).toBe(before);
    expect(gitIn(stack.origin, "show", "main:long.txt")).toBe(LONG.replace("line 28\n", "LINE 28\n"));
    expect(gitIn(stack.origin, "status", "--porcelain")).toBe("");
  });

  it("pushes the whole change as a branch of its own, and shows a refusal as an error", async () => {
    const task = await finishedTask("upper-case both lines", PAIRS[1]);
    ui.picks.push(
      (items) => items.find((i) => i.value === "push")?.value,
      (items) => items.find((i) => i.value === "all")?.value,
    );
    ui.inputs.push("cadre/vscode-both");
    const pushed = await controller.approve(task.id);
    expect(pushed?.review.delivery).toMatchObject({ kind: "push_branch", branch: "cadre/vscode-both" });
    expect(gitIn(stack.origin, "show", "cadre/vscode-both:long.txt")).toContain("line 4\nLINE 5\nline 6");

    const other = await finishedTask("upper-case again", PAIRS[2]);
    ui.picks.push(
      (items) => items.find((i) => i.value === "push")?.value,
      (items) => items.find((i) => i.value === "all")?.value,
    );
    ui.inputs.push("main");
    expect(await controller.approve(other.id)).toBeUndefined();
    expect(ui.last()).toMatchObject({ level: "error", message: expect.stringMatching(/default branch/) });
  });
});
