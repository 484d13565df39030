import { describe, expect, it } from "vitest";
import type { Task } from "@cadre/protocol";
import { noticeFor } from "./notifications.ts";

const base = { id: "task_1", title: "Fix it", mode: "code", status: "running" } as Task;
const as = (status: Task["status"], mode: Task["mode"] = "code") => ({ ...base, status, mode });

describe("noticeFor", () => {
  it("announces finishing, failing and asking, with the matching actions", () => {
    expect(noticeFor(as("running"), as("completed"))).toMatchObject({
      kind: "finished",
      actions: ["Open Diff", "Apply"],
    });
    expect(noticeFor(as("running", "ask"), as("completed", "ask"))).toMatchObject({
      kind: "finished",
      actions: ["Show"],
    });
    expect(noticeFor(as("running"), as("failed"))).toMatchObject({ kind: "failed" });
    expect(noticeFor(as("running"), as("waiting_for_input"))).toMatchObject({ kind: "asks", actions: ["Answer"] });
  });

  it("stays quiet for tasks seen for the first time, unchanged statuses and progress", () => {
    expect(noticeFor(undefined, as("completed"))).toBeNull();
    expect(noticeFor(as("completed"), as("completed"))).toBeNull();
    expect(noticeFor(as("queued"), as("running"))).toBeNull();
  });
});
