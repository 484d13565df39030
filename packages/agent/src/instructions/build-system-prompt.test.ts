import { describe, expect, it } from "vitest";
import { buildSystemPrompt } from "./build-system-prompt.ts";

describe("buildSystemPrompt", () => {
  it("orders Cadre's prompt, the mode, the environment, AGENTS.md and the task's instructions", () => {
    const s = buildSystemPrompt({
      family: "openai",
      mode: "code",
      planApproved: false,
      agentsMd: "AGENTS-TEXT",
      environment: "ENV-TEXT",
      task: "TASK-TEXT",
    });
    const order = [
      "You are Cadre",
      "apply_patch",
      "# Environment",
      "ENV-TEXT",
      "AGENTS-TEXT",
      "# Task instructions",
      "TASK-TEXT",
    ].map((m) => s.indexOf(m));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("tells the model never to commit and to ask instead of guessing", () => {
    const s = buildSystemPrompt({ family: "anthropic", mode: "code", planApproved: false });
    expect(s).toContain("Never commit, push");
    expect(s).toContain("request_user_input");
    expect(s).toContain("str_replace_based_edit_tool");
    expect(s).not.toContain("Repository instructions");
  });

  it("describes plan mode before and after approval, and ask mode", () => {
    expect(buildSystemPrompt({ family: "openai", mode: "plan", planApproved: false })).toContain(
      "Do not change any file yet",
    );
    expect(buildSystemPrompt({ family: "openai", mode: "plan", planApproved: true })).toContain("approved your plan");
    expect(buildSystemPrompt({ family: "openai", mode: "ask", planApproved: false })).toContain("read-only");
  });
});
