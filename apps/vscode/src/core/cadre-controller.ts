import type { CadreClient } from "@cadre/client";
import { countSelection, selectPatch, type ApplyPatchResult, type PatchSelection } from "@cadre/git";
import {
  CadreError,
  describeDelivery,
  forgeNouns,
  type Repo,
  type TaskMode,
  type TaskWithAttempts,
} from "@cadre/protocol";
import type { DiffPair, EditorUi, PickItem } from "./editor-ui.ts";
import type { TaskStore } from "./task-store.ts";
import { applyChange, describeApply } from "./apply-change.ts";
import { fileVersions } from "./file-versions.ts";
import { pendingInput } from "./pending-input.ts";
import { promptWithContext, type EditorContext } from "./task-context.ts";
import { fetchTaskPatch, hunkSummary, isWholeFile, patchFilePath, type TaskPatch } from "./task-patch.ts";

export interface ControllerDeps {
  client: CadreClient;
  ui: EditorUi;
  /** Root of the local work tree (a clone of `repo`). */
  root: string;
  repo: Repo;
  store: TaskStore;
}

type Choice = { kind: "file"; path: string } | { kind: "hunk"; path: string; index: number };

function describeDelivered(t: TaskWithAttempts): string {
  return t.review.delivery ? describeDelivery(t.review.delivery) : `task ${t.id} is ${t.review.state}`;
}

type How = "merge" | "mergeOther" | "pr" | "draft" | "push";

function deliveryBody<T extends object>(how: How, branch: string, common: T) {
  if (how === "push") return { ...common, pushBranch: branch.trim() || null };
  if (how === "pr" || how === "draft") return { ...common, pullRequest: { draft: how === "draft" } };
  return { ...common, merge: branch.trim() };
}

/** What every command does, in editor-neutral terms; the VS Code adapter only wires it up. */
export class CadreController {
  constructor(private readonly d: ControllerDeps) {}

  async newTask(context: EditorContext | null): Promise<TaskWithAttempts | undefined> {
    const prompt = await this.d.ui.input({
      title: "Cadre: new task",
      prompt: `What should the agent do in ${this.d.repo.name}?`,
      placeholder: "e.g. add pagination to the user list endpoint",
    });
    if (!prompt?.trim()) return undefined;
    let chosen: EditorContext | null = null;
    if (context) {
      const what = context.selection
        ? `the selection in ${context.path} (lines ${context.selection.startLine}-${context.selection.endLine})`
        : `the file ${context.path}`;
      const include = await this.d.ui.pickOne("Include context?", [
        { label: `Include ${what}`, value: true },
        { label: "No context", value: false },
      ]);
      if (include === undefined) return undefined;
      chosen = include ? context : null;
    }
    const mode = await this.d.ui.pickOne<TaskMode>("Mode", [
      { label: "code", description: "change the code", value: "code" },
      { label: "ask", description: "read-only answer", value: "ask" },
      { label: "plan", description: "propose a plan first, wait for approval", value: "plan" },
    ]);
    if (!mode) return undefined;
    const task = await this.d.client.call("createTask", {
      body: {
        prompt: promptWithContext(prompt.trim(), chosen),
        repo: this.d.repo.id,
        mode,
        attempts: 1,
        title: prompt.trim().split("\n")[0]?.slice(0, 200) ?? "",
      },
    });
    this.d.store.update(task);
    void this.d.ui.info(`Cadre: started "${task.title}".`);
    return task;
  }

  /** Both sides of every file of the change, ready for the diff editor. */
  async diffPairs(patch: TaskPatch): Promise<DiffPair[]> {
    const pairs: DiffPair[] = [];
    for (const file of patch.files) {
      const v = await fileVersions(this.d.root, patch.task.baseCommit, file);
      const key = `${patch.task.id}/${patch.attempt.index}/${patch.attempt.headCommit ?? "none"}`;
      pairs.push({
        title: `${v.path} (Cadre: ${patch.task.title})`,
        path: v.path,
        left: { key: `${key}/base/${file.oldPath ?? v.path}`, content: v.oldText },
        right: {
          key: `${key}/change/${v.path}`,
          content:
            v.newText ??
            `This change of ${v.path} cannot be shown side by side (${file.binary ? "binary file" : "the local base differs"}); its patch:\n\n${patch.text}`,
        },
      });
    }
    return pairs;
  }

  /** Opens the change in the diff editor: one file, or all files together. */
  async openDiff(taskId: string, path?: string): Promise<DiffPair[]> {
    const patch = await this.d.ui.withProgress("Cadre: fetching the diff", () => fetchTaskPatch(this.d.client, taskId));
    if (patch.files.length === 0) {
      void this.d.ui.info(`Cadre: task ${taskId} changed nothing.`);
      return [];
    }
    const pairs = await this.diffPairs(patch);
    if (path) {
      const pair = pairs.find((p) => p.path === path);
      if (!pair) throw new CadreError("not_found", `${path} is not part of task ${taskId}'s change`);
      await this.d.ui.openDiff(pair);
      return [pair];
    }
    if (pairs.length === 1 && pairs[0]) await this.d.ui.openDiff(pairs[0]);
    else await this.d.ui.openChanges(`Cadre: ${patch.task.title}`, pairs);
    return pairs;
  }

  async applyAll(taskId: string): Promise<ApplyPatchResult | undefined> {
    const patch = await fetchTaskPatch(this.d.client, taskId);
    if (patch.files.length === 0) {
      void this.d.ui.info(`Cadre: task ${taskId} changed nothing.`);
      return undefined;
    }
    return this.report(patch);
  }

  /** Lets the user pick files and hunks, then applies only those. */
  async applySome(taskId: string): Promise<ApplyPatchResult | undefined> {
    const patch = await fetchTaskPatch(this.d.client, taskId);
    const selection = await this.pickHunks(patch, "Cadre: choose the files and hunks to apply");
    return selection ? this.report(patch, selection) : undefined;
  }

  /** The files and hunks the user picks (undefined when they pick none or the change is empty). */
  private async pickHunks(patch: TaskPatch, title: string): Promise<PatchSelection | undefined> {
    const items: PickItem<Choice>[] = [];
    for (const file of patch.files) {
      const path = patchFilePath(file);
      if (isWholeFile(file)) {
        items.push({ label: path, description: `${file.status} (whole file)`, value: { kind: "file", path } });
        continue;
      }
      file.hunks.forEach((_, index) =>
        items.push({
          label: path,
          description: `hunk ${index + 1} of ${file.hunks.length}`,
          detail: hunkSummary(file, index),
          value: { kind: "hunk", path, index },
        }),
      );
    }
    if (items.length === 0) {
      void this.d.ui.info(`Cadre: task ${patch.task.id} changed nothing.`);
      return undefined;
    }
    const picked = await this.d.ui.pickMany(title, items);
    if (!picked?.length) return undefined;
    return {
      files: picked.filter((c) => c.kind === "file").map((c) => c.path),
      hunks: picked.flatMap((c) => (c.kind === "hunk" ? [{ path: c.path, index: c.index }] : [])),
    };
  }

  /** How a change can be delivered: merged, pushed as a branch, or (on a forge) as a pull request. */
  private deliveryChoices(task: TaskWithAttempts): { label: string; description?: string; value: How }[] {
    const forge = this.d.repo.forge?.name;
    const noun = forgeNouns(this.d.repo.forge?.kind).changeRequest;
    return [
      {
        label: `Merge into ${task.baseRef}`,
        description: "one commit on top of it, pushed to the origin",
        value: "merge",
      },
      { label: "Merge into another branch…", value: "mergeOther" },
      ...(forge
        ? [
            { label: `Create ${noun}`, description: `on ${forge}, from cadre/…`, value: "pr" as const },
            { label: `Create draft ${noun}`, description: `on ${forge}`, value: "draft" as const },
          ]
        : []),
      { label: "Push as a branch", description: `a branch of its own, for a ${noun}`, value: "push" },
    ];
  }

  /**
   * Delivers the change like the web app's Approve: merge into a branch, push a branch of its
   * own, or open a pull request on the repo's forge, all of it or the hunks picked, as one commit.
   */
  async approve(taskId: string): Promise<TaskWithAttempts | undefined> {
    const patch = await this.d.ui.withProgress("Cadre: fetching the diff", () => fetchTaskPatch(this.d.client, taskId));
    const { task } = patch;
    const how = await this.d.ui.pickOne<How>(`Cadre: deliver "${task.title}"`, this.deliveryChoices(task));
    if (!how) return undefined;
    const branch =
      how === "merge" || how === "pr" || how === "draft"
        ? task.baseRef
        : await this.d.ui.input({
            title: "Cadre: branch",
            prompt: how === "push" ? "Branch to push (empty: cadre/… chosen for you)" : "Branch to merge into",
            placeholder: how === "push" ? "cadre/…" : task.baseRef,
          });
    if (branch === undefined || (how === "mergeOther" && !branch.trim())) return undefined;
    const which = await this.d.ui.pickOne<"all" | "some">("Cadre: what to deliver", [
      { label: "The whole change", value: "all" },
      { label: "Choose files and hunks…", value: "some" },
    ]);
    if (!which) return undefined;
    const chosen =
      which === "some" ? await this.pickHunks(patch, "Cadre: choose the files and hunks to deliver") : null;
    if (chosen === undefined) return undefined;
    const selection = chosen ? { selection: { patch: selectPatch(patch.files, chosen), head: patch.head } } : {};
    const common = { attempt: patch.attempt.index, ...selection };
    try {
      const updated = await this.d.client.call("approveTask", {
        params: { id: task.id },
        body: deliveryBody(how, branch, common),
      });
      this.d.store.update(updated);
      void this.d.ui.info(`Cadre: ${describeDelivered(updated)}.`);
      return updated;
    } catch (e) {
      // A refusal (stale selection, a branch Cadre may not push to) changed nothing.
      this.d.ui.error(`Cadre: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  private async report(patch: TaskPatch, selection?: PatchSelection): Promise<ApplyPatchResult | undefined> {
    try {
      const result = await applyChange(this.d.root, patch, selection);
      const { level, message } = describeApply(result);
      void (level === "warn" ? this.d.ui.warn(message) : this.d.ui.info(message));
      await this.recordPulled(patch, result, selection);
      return result;
    } catch (e) {
      // Refusals (local changes in the way, a patch that no longer applies) change nothing.
      this.d.ui.error(`Cadre: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  /** Like `cadre apply`: once something landed locally, the task shows as pulled locally everywhere. */
  private async recordPulled(patch: TaskPatch, result: ApplyPatchResult, selection?: PatchSelection): Promise<void> {
    if (result.applied.length + result.conflicted.length === 0 || patch.task.review.state !== "pending") return;
    // Part of the change pulled leaves the review open, as in `cadre apply`.
    const selected = selection ? { selected: countSelection(patch.files, selection) } : {};
    const updated = await this.d.client
      .call("approveTask", {
        params: { id: patch.task.id },
        body: { attempt: patch.attempt.index, pulledLocally: true, ...selected },
      })
      .catch(() => null);
    if (updated) this.d.store.update(updated);
  }

  async followup(taskId: string): Promise<TaskWithAttempts | undefined> {
    const text = await this.d.ui.input({
      title: "Cadre: follow-up",
      prompt: "What should the agent do next, in the same workspace?",
    });
    if (!text?.trim()) return undefined;
    const task = await this.d.client.call("followupTask", { params: { id: taskId }, body: { text: text.trim() } });
    this.d.store.update(task);
    return task;
  }

  /** A message to the running agent: it reads it before its next step; the run goes on (or stops and asks). */
  async say(taskId: string): Promise<boolean> {
    const text = await this.d.ui.input({
      title: "Cadre: message the running agent",
      prompt: "The agent reads this before its next step. Type 'stop' to have it stop and ask you.",
    });
    if (!text?.trim()) return false;
    const stop = text.trim().toLowerCase() === "stop";
    try {
      await this.d.client.call("sendMessage", {
        params: { id: taskId },
        body: { text: stop ? "" : text.trim(), stop },
      });
    } catch (e) {
      this.d.ui.error(`Cadre: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
    void this.d.ui.info(stop ? "Cadre: the agent stops before its next step and asks you." : "Cadre: message sent.");
    return true;
  }

  async answer(taskId: string): Promise<TaskWithAttempts | undefined> {
    const task = await this.d.client.call("getTask", { params: { id: taskId } });
    const waiting = task.attempts.find((a) => a.status === "waiting_for_input" && a.waitingFor === "answer");
    if (!waiting) {
      void this.d.ui.info(`Cadre: task ${taskId} is not waiting for an answer.`);
      return undefined;
    }
    const { questions } = await pendingInput(this.d.client, waiting);
    const answers: string[] = [];
    for (const q of questions.length ? questions : [{ question: "Your answer", options: [] as string[] }]) {
      let a: string | undefined;
      if (q.options.length) {
        a = await this.d.ui.pickOne(q.question, [
          ...q.options.map((o) => ({ label: o, value: o })),
          { label: "Other…", value: "" },
        ]);
        if (a === undefined) return undefined;
      }
      if (!a) a = await this.d.ui.input({ title: "Cadre: answer", prompt: q.question });
      if (!a?.trim()) return undefined;
      answers.push(questions.length > 1 ? `${q.question}\n${a.trim()}` : a.trim());
    }
    const updated = await this.d.client.call("answerTask", {
      params: { id: taskId },
      body: { text: answers.join("\n\n"), attempt: waiting.index },
    });
    this.d.store.update(updated);
    return updated;
  }

  async approvePlan(taskId: string): Promise<TaskWithAttempts | undefined> {
    const task = await this.d.client.call("getTask", { params: { id: taskId } });
    const waiting = task.attempts.find((a) => a.status === "waiting_for_input" && a.waitingFor === "plan_approval");
    if (!waiting) {
      void this.d.ui.info(`Cadre: task ${taskId} has no plan waiting for approval.`);
      return undefined;
    }
    const { plan } = await pendingInput(this.d.client, waiting);
    const steps = plan?.steps.map((s, i) => `${i + 1}. ${s.step}`).join("\n") ?? "(no plan recorded)";
    const choice = await this.d.ui.info(
      `Cadre plan for "${task.title}":\n${plan?.explanation ? `${plan.explanation}\n` : ""}${steps}`,
      "Approve",
      "Request Changes",
    );
    let updated: TaskWithAttempts | undefined;
    if (choice === "Approve") {
      updated = await this.d.client.call("approvePlan", { params: { id: taskId }, body: { attempt: waiting.index } });
    } else if (choice === "Request Changes") {
      const comment = await this.d.ui.input({
        title: "Cadre: plan changes",
        prompt: "What should change in the plan?",
      });
      if (!comment?.trim()) return undefined;
      updated = await this.d.client.call("rejectPlan", {
        params: { id: taskId },
        body: { attempt: waiting.index, comment: comment.trim() },
      });
    }
    if (updated) this.d.store.update(updated);
    return updated;
  }
}
