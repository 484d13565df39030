import { beforeAll, expect, it } from "vitest";
import type { ForgeLink } from "./forge-link-queries.ts";
import { newTask, onEachBackend, runAttemptTo } from "./testing-store.ts";

type NewLink = Omit<
  ForgeLink,
  "taskId" | "attemptId" | "forgeId" | "deliveredCommit" | "handledSeq" | "autoFollowups" | "checkId"
>;

const CODE_LINK: NewLink = {
  repoPath: "Octo/Repo",
  purpose: "code",
  thread: { kind: "issue", number: 7 },
  changeRequest: null,
  ownChangeRequest: true,
  branch: null,
  pushAllowed: true,
};

onEachBackend("forge link queries", (store) => {
  let forgeId = "";
  beforeAll(async () => {
    const forge = await store().forges.create({
      name: "gh",
      kind: "github",
      apiUrl: "https://api.github.com",
      webUrl: "https://github.com",
      botName: "cadre",
      authKind: "token",
      appId: null,
      installationId: null,
      encryptedSecrets: { token: "v1:x", webhookSecret: "v1:y" },
      pollSeconds: 30,
      pacing: true,
      serviceUser: "forge-gh",
      createdBy: "admin",
    });
    forgeId = forge.id;
  });

  async function linkedTask(link: Partial<NewLink> = {}): Promise<{ taskId: string; attemptId: string }> {
    const { taskId } = await newTask(store());
    const attempt = (await store().attempts.byTask(taskId))[0];
    if (!attempt) throw new Error("the task has no attempt");
    await store().db.transaction((tx) =>
      store().forgeLinks.create(tx, { ...CODE_LINK, ...link, taskId, attemptId: attempt.id, forgeId }),
    );
    return { taskId, attemptId: attempt.id };
  }

  it("stores a link and finds it by task, change request (any case of the path) and delivered commit", async () => {
    const { taskId, attemptId } = await linkedTask();
    expect(await store().forgeLinks.get(taskId)).toMatchObject({
      taskId,
      attemptId,
      forgeId,
      thread: { kind: "issue", number: 7 },
      changeRequest: null,
      deliveredCommit: null,
      handledSeq: 0,
      autoFollowups: 0,
      checkId: null,
    });
    expect(await store().forgeLinks.forChangeRequest(forgeId, "octo/repo", 12)).toBeNull();
    const commit = "d".repeat(40);
    await store().forgeLinks.setDelivered(taskId, { changeRequest: 12, branch: "cadre/fix", commit });
    expect((await store().forgeLinks.forChangeRequest(forgeId, "octo/repo", 12))?.taskId).toBe(taskId);
    expect((await store().forgeLinks.byDeliveredCommit(forgeId, "OCTO/REPO", commit))?.branch).toBe("cadre/fix");
    expect(await store().forgeLinks.byDeliveredCommit(forgeId, "octo/repo", "e".repeat(40))).toBeNull();
    await store().forgeLinks.setCheckId(taskId, "check-1");
    expect((await store().forgeLinks.get(taskId))?.checkId).toBe("check-1");
  });

  it("watches the heads of its own change requests while their review is pending, and finds a review task by commit", async () => {
    const own = await linkedTask();
    const theirs = await linkedTask({ ownChangeRequest: false });
    await store().forgeLinks.setDelivered(own.taskId, { changeRequest: 21, branch: "a", commit: "1".repeat(40) });
    await store().forgeLinks.setDelivered(theirs.taskId, { changeRequest: 22, branch: "b", commit: "2".repeat(40) });
    const heads = await store().forgeLinks.watchedHeads(forgeId, "octo/repo");
    expect(heads).toContainEqual({ commit: "1".repeat(40), changeRequest: 21 });
    expect(heads.map((head) => head.changeRequest)).not.toContain(22);
    await store().tasks.setReview(own.taskId, {
      state: "applied",
      attemptId: own.attemptId,
      delivery: null,
      by: "a",
      reason: null,
    });
    expect(
      (await store().forgeLinks.watchedHeads(forgeId, "octo/repo")).map((head) => head.changeRequest),
    ).not.toContain(21);

    // newTask's tasks are based on aaaa…: a review of change request 30 at that commit is found, at another it is not.
    const review = await linkedTask({
      purpose: "review",
      changeRequest: 30,
      thread: { kind: "change_request", number: 30 },
    });
    expect(await store().forgeLinks.reviewOf(forgeId, "Octo/Repo", 30, "a".repeat(40))).toBe(review.taskId);
    expect(await store().forgeLinks.reviewOf(forgeId, "Octo/Repo", 30, "b".repeat(40))).toBeNull();
    // A review link is not the code task of its change request.
    expect(await store().forgeLinks.forChangeRequest(forgeId, "Octo/Repo", 30)).toBeNull();
  });

  it("reports a parked attempt's turn once, until it is marked handled", async () => {
    const { taskId, attemptId } = await linkedTask();
    const pending = async () =>
      (await store().forgeLinks.finishedTurns(500)).find((turn) => turn.link.taskId === taskId);
    expect(await pending()).toBeUndefined();
    await runAttemptTo(store(), attemptId, "completed");
    const turn = await pending();
    expect(turn).toMatchObject({ status: "completed", lastSeq: 2, statusSeq: 2 });
    expect(await store().db.transaction((tx) => store().forgeLinks.markHandled(tx, taskId, 2))).toBe(true);
    // Marking is monotonic: the same seq (another worker) is refused, and the turn is no longer reported.
    expect(await store().db.transaction((tx) => store().forgeLinks.markHandled(tx, taskId, 2))).toBe(false);
    expect(await pending()).toBeUndefined();
    // A follow-up asked for (needs_run) is not a finished turn even though the status still reads completed.
    await store().events.append(attemptId, 1, [{ type: "notice", level: "info", message: "x" }], { runnerId: null });
    expect((await pending())?.lastSeq).toBe(3);
    expect(await store().attempts.requestRun(attemptId, { kind: "followup", text: "more" })).toBe(true);
    expect(await pending()).toBeUndefined();
  });

  it("counts automatic follow-ups up to the limit", async () => {
    const { taskId } = await linkedTask();
    const take = () => store().db.transaction((tx) => store().forgeLinks.takeAutoFollowup(tx, taskId, 2));
    expect([await take(), await take(), await take()]).toEqual([true, true, false]);
    expect((await store().forgeLinks.get(taskId))?.autoFollowups).toBe(2);
  });
});
