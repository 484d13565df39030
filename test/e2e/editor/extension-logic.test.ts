import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { TaskWithAttempts } from "@cadre/protocol";
import { CadreController } from "../../../apps/vscode/src/core/cadre-controller.ts";
import type { Notice } from "../../../apps/vscode/src/core/notifications.ts";
import { TaskStore } from "../../../apps/vscode/src/core/task-store.ts";
import { repoForFolder } from "../../../apps/vscode/src/core/workspace-repo.ts";
import { gitIn } from "../../support/fixture-repo.ts";
import { FakeEditorUi } from "./fake-editor-ui.ts";
import { routedScript } from "./routed-script.ts";
import { startCadreStack, type CadreStack } from "./cadre-stack.ts";

const LONG = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
const TWO_HUNKS =
  "*** Begin Patch\n*** Update File: long.txt\n@@\n-line 2\n+LINE TWO\n@@\n-line 28\n+LINE TWENTY-EIGHT\n*** End Patch\n";
const SAID = "keep the tests green while you work";
const SHORT_STEP = { name: "shell", input: { command: "sleep 0.3" } };
const FOLLOWUP_PATCH = "*** Begin Patch\n*** Update File: long.txt\n@@\n-line 15\n+LINE FIFTEEN\n*** End Patch\n";

/** Resolves with the first notice for `taskId` of `kind`; rejects after a bound so a missing notice fails, not hangs. */
function noticeOf(
  notices: Notice[],
  store: TaskStore,
  taskId: () => string | undefined,
  kind: Notice["kind"],
): Promise<Notice> {
  const p = new Promise<Notice>((resolve, reject) => {
    const check = () => notices.find((n) => n.taskId === taskId() && n.kind === kind);
    const timer = setTimeout(() => reject(new Error(`no '${kind}' notice; got ${JSON.stringify(notices)}`)), 90_000);
    const off = store.onNotice(() => {
      const n = check();
      if (n) {
        clearTimeout(timer);
        off();
        resolve(n);
      }
    });
  });
  // Awaited by the test; a test that fails before awaiting must not leave an unhandled rejection.
  p.catch(() => undefined);
  return p;
}

describe("VS Code extension logic against a real cadre serve (the vscode boundary faked)", () => {
  let stack: CadreStack;
  let clone: string;
  let ui: FakeEditorUi;
  let store: TaskStore;
  let controller: CadreController;
  const notices: Notice[] = [];
  const follow = new AbortController();
  let task: TaskWithAttempts | undefined;

  beforeAll(async () => {
    stack = await startCadreStack(
      routedScript([
        {
          marker: "TWO_HUNK_MARKER",
          steps: [{ toolCalls: [{ name: "apply_patch", input: TWO_HUNKS }] }, { text: "Upper-cased lines 2 and 28." }],
        },
        {
          marker: "FOLLOWUP_MARKER",
          steps: [{ toolCalls: [{ name: "apply_patch", input: FOLLOWUP_PATCH }] }, { text: "Also line 15." }],
        },
        {
          marker: "QUESTION_MARKER",
          steps: [
            {
              toolCalls: [
                {
                  name: "request_user_input",
                  input: { questions: [{ question: "Which name?", options: ["alpha", "beta"] }] },
                },
              ],
            },
          ],
        },
        { marker: "Answer to your question", steps: [{ text: "Named it as answered." }] },
        {
          marker: "PLAN_MARKER",
          steps: [
            { toolCalls: [{ name: "update_plan", input: { plan: [{ step: "Edit the README", status: "pending" }] } }] },
            { text: "Plan ready." },
          ],
        },
        { marker: "The plan is approved", steps: [{ text: "Carried out the plan." }] },
        // Keeps working, one short command a step, until the message from VS Code arrives.
        { marker: "SAY_MARKER", steps: Array.from({ length: 60 }, () => ({ toolCalls: [SHORT_STEP] })) },
        { marker: SAID, steps: [{ text: "Kept the tests green, as you said." }] },
      ]),
      async (origin) => {
        await writeFile(join(origin, "long.txt"), LONG);
        gitIn(origin, "add", "long.txt");
        gitIn(origin, "commit", "-q", "-m", "add long.txt");
      },
    );
    clone = stack.clone("workspace");
    const match = await repoForFolder(stack.client, clone);
    if (!match) throw new Error("the clone was not matched to the server repo");
    ui = new FakeEditorUi();
    store = new TaskStore(stack.client, match.repo.id);
    store.onNotice((n) => notices.push(n));
    controller = new CadreController({ client: stack.client, ui, root: match.root, repo: match.repo, store });
    await store.refresh();
    void store.follow(follow.signal);
  });

  afterAll(async () => {
    follow.abort();
    await stack?.stop();
  });

  it("finds the server repo of the open folder through its remote", async () => {
    const match = await repoForFolder(stack.client, join(clone, "."));
    expect(match?.repo.name).toBe("calc");
  });

  it("starts a task with the selection as context, lists it live and announces when it finishes", async () => {
    ui.inputs.push("Upper-case two lines TWO_HUNK_MARKER");
    ui.picks.push(
      (items) => items[0]?.value,
      (items) => items.find((i) => i.label === "code")?.value,
    );
    const finished = noticeOf(notices, store, () => task?.id, "finished");
    task = await controller.newTask({
      path: "long.txt",
      selection: { text: "line 2\nline 3", startLine: 2, endLine: 3 },
    });
    expect(task?.prompt).toBe(
      "Upper-case two lines TWO_HUNK_MARKER\n\nContext: long.txt, lines 2-3:\n```\nline 2\nline 3\n```",
    );
    expect(store.list().map((t) => t.id)).toContain(task?.id);
    const n = await finished;
    expect(n.message).toContain("finished");
    expect(n.actions).toEqual(["Open Diff", "Apply"]);
    expect(store.get(task?.id ?? "")?.status).toBe("completed");
    // A fresh listing agrees with the live one.
    expect((await store.refresh()).find((t) => t.id === task?.id)?.status).toBe("completed");
  });

  it("opens the diff: the base version on the left, the changed version on the right", async () => {
    const pairs = await controller.openDiff(task?.id ?? "");
    expect(pairs).toHaveLength(1);
    expect(ui.diffs[0]?.path).toBe("long.txt");
    expect(ui.diffs[0]?.left.content).toBe(LONG);
    expect(ui.diffs[0]?.right.content).toBe(
      LONG.replace("line 2\n", "LINE TWO\n").replace("line 28\n", "LINE TWENTY-EIGHT\n"),
    );
    expect(ui.diffs[0]?.left.key).not.toBe(ui.diffs[0]?.right.key);
  });

  it("applies one hunk of two to the work tree", async () => {
    let offered: string[] = [];
    ui.picks.push((items) => {
      offered = items.map((i) => `${i.label} ${i.description ?? ""}`);
      return [items[1]?.value];
    });
    const result = await controller.applySome(task?.id ?? "");
    expect(offered).toEqual(["long.txt hunk 1 of 2", "long.txt hunk 2 of 2"]);
    expect(result).toEqual({ applied: ["long.txt"], conflicted: [], skipped: [] });
    const text = await readFile(join(clone, "long.txt"), "utf8");
    expect(text).toContain("\nline 2\n");
    expect(text).toContain("\nLINE TWENTY-EIGHT\n");
    expect(ui.last()).toEqual({ level: "info", message: "Cadre: applied long.txt." });
    // As with `cadre apply`, the pull is recorded; one hunk of two leaves the review open.
    expect((await stack.client.call("getTask", { params: { id: task?.id ?? "" } })).review).toMatchObject({
      state: "pending",
      delivery: null,
      pulled: { selected: { hunks: 1, totalHunks: 2, files: 1, totalFiles: 1 } },
    });
  });

  it("refuses to apply the whole change over local changes, and applies it on a clean tree", async () => {
    const refused = await controller.applyAll(task?.id ?? "");
    expect(refused).toBeUndefined();
    expect(ui.last()?.level).toBe("error");
    expect(ui.last()?.message).toContain("local changes would be overwritten in: long.txt");
    gitIn(clone, "reset", "-q", "--hard");
    const result = await controller.applyAll(task?.id ?? "");
    expect(result).toEqual({ applied: ["long.txt"], conflicted: [], skipped: [] });
    expect(await readFile(join(clone, "long.txt"), "utf8")).toContain("LINE TWO\n");
    const after = await stack.client.call("getTask", { params: { id: task?.id ?? "" } });
    expect(after.review).toMatchObject({ state: "applied", delivery: { kind: "pulled_locally" } });
  });

  it("sends a follow-up: the new turn's change joins the diff", async () => {
    ui.inputs.push("FOLLOWUP_MARKER: line 15 too");
    notices.length = 0;
    const finished = noticeOf(notices, store, () => task?.id, "finished");
    const resumed = await controller.followup(task?.id ?? "");
    expect(resumed?.id).toBe(task?.id);
    await finished;
    const after = await stack.client.call("getTask", { params: { id: task?.id ?? "" } });
    expect(after.attempts[0]).toMatchObject({ status: "completed", turnCount: 2, summary: "Also line 15." });
    await controller.openDiff(task?.id ?? "");
    expect(ui.diffs[ui.diffs.length - 1]?.right.content).toContain("LINE FIFTEEN\n");
  });

  it("answers a question the agent asked, from its suggested options", async () => {
    ui.inputs.push("Name the helper QUESTION_MARKER");
    ui.picks.push(
      () => false,
      (items) => items.find((i) => i.label === "ask")?.value,
    );
    const ref: { task?: TaskWithAttempts | undefined } = {};
    const asks = noticeOf(notices, store, () => ref.task?.id, "asks");
    ref.task = await controller.newTask({ path: "calc.mjs", selection: null });
    const asking = ref.task;
    expect(asking?.prompt).toBe("Name the helper QUESTION_MARKER");
    expect((await asks).actions).toEqual(["Answer"]);
    let offered: string[] = [];
    ui.picks.push((items) => {
      offered = items.map((i) => i.label);
      return items.find((i) => i.label === "beta")?.value;
    });
    const finished = noticeOf(notices, store, () => asking?.id, "finished");
    await controller.answer(asking?.id ?? "");
    expect(offered).toEqual(["alpha", "beta", "Other…"]);
    await finished;
    const done = await stack.client.call("getTask", { params: { id: asking?.id ?? "" } });
    expect(done.attempts[0]?.summary).toBe("Named it as answered.");
    const last = stack.model.requests[stack.model.requests.length - 1];
    expect(JSON.stringify(last?.normalized?.messages)).toContain("Answer to your question:\\nbeta");
  });

  it("tells the running agent something: it reads it at its next step and the run goes on", async () => {
    ui.inputs.push("Work on it for a while SAY_MARKER");
    ui.picks.push(
      () => false,
      (items) => items.find((i) => i.label === "code")?.value,
    );
    const running = await controller.newTask({ path: "calc.mjs", selection: null });
    const id = running?.id ?? "";
    const hasText = (text: string) => (r: (typeof stack.model.requests)[number]) =>
      (r.normalized?.messages ?? []).some((m) => m.role === "user" && m.text.includes(text));
    await expect.poll(() => stack.model.requests.some(hasText("SAY_MARKER")), { timeout: 90_000 }).toBe(true);
    ui.inputs.push(SAID);
    const finished = noticeOf(notices, store, () => id, "finished");
    expect(await controller.say(id)).toBe(true);
    expect(ui.last()).toEqual({ level: "info", message: "Cadre: message sent." });
    await finished;
    const done = await stack.client.call("getTask", { params: { id } });
    // One turn: the message joined the running turn instead of stopping it or starting another.
    expect(done.attempts[0]).toMatchObject({ turnCount: 1, summary: "Kept the tests green, as you said." });
    expect(stack.model.requests.some(hasText(SAID))).toBe(true);
  });

  it("approves a plan", async () => {
    ui.inputs.push("Tidy the README PLAN_MARKER");
    ui.picks.push(
      () => false,
      (items) => items.find((i) => i.label === "plan")?.value,
    );
    const ref: { task?: TaskWithAttempts | undefined } = {};
    const asks = noticeOf(notices, store, () => ref.task?.id, "asks");
    ref.task = await controller.newTask({ path: "README.md", selection: null });
    const planned = ref.task;
    await asks;
    ui.buttons.push("Approve");
    const finished = noticeOf(notices, store, () => planned?.id, "finished");
    await controller.approvePlan(planned?.id ?? "");
    expect(ui.shown.some((s) => s.message.includes("1. Edit the README"))).toBe(true);
    await finished;
    const done = await stack.client.call("getTask", { params: { id: planned?.id ?? "" } });
    expect(done.attempts[0]?.summary).toBe("Carried out the plan.");
  });
});
