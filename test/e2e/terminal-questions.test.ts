import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Event, TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../support/cadre-harness.ts";
import { CADRE_BIN } from "../support/cadre-process.ts";
import { lastUserText, promptOf } from "../support/script-helpers.ts";
import { spawn } from "node:child_process";

const QUESTION = "Should add() also accept strings?";
const OPTIONS = ["yes, convert them", "no, numbers only"];

function script(ctx: ScriptContext): Step {
  const last = lastUserText(ctx);
  if (last.startsWith("Answer to your question")) return { text: `Done as answered (${last.split("\n")[1]}).` };
  if (promptOf(ctx).includes("ASK"))
    return {
      toolCalls: [{ name: "request_user_input", input: { questions: [{ question: QUESTION, options: OPTIONS }] } }],
    };
  return { text: "nothing to do" };
}

/** Runs the CLI on a pseudo-terminal (util-linux `script`), typing `input`: what a person at a terminal sees. */
function onTerminal(
  args: string[],
  env: Record<string, string>,
  input: string,
): Promise<{ code: number; output: string }> {
  // A pseudo-terminal starts with no size; a real one has one (the spinner needs a width).
  const command = `stty cols 100 rows 30; ${[process.execPath, CADRE_BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ")}`;
  return new Promise((resolve) => {
    const child = spawn("script", ["-q", "-e", "-c", command, "/dev/null"], {
      env: { ...process.env, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (b: Buffer) => {
      output += b.toString();
      // Type the answer once the question is on the screen, as a person would.
      if (input && output.includes("answer (1-")) {
        child.stdin.write(input);
        input = "";
      }
    });
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    const guard = setTimeout(() => child.kill(), 60_000);
    child.on("exit", (code) => {
      clearTimeout(guard);
      resolve({ code: code ?? -1, output });
    });
  });
}

describe("questions reach the terminal", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ script });
  });
  afterAll(async () => h?.stop());

  async function askingTask(): Promise<{ id: string; stdout: string; code: number }> {
    const r = await h.cli(["task", "new", "ASK: fix add()", "--repo", "calc", "--wait"]);
    const id = /task_[a-z0-9]+/.exec(r.stderr)?.[0] ?? "";
    return { id, stdout: r.stdout, code: r.code };
  }

  it("task new --wait prints the question, its suggested answers and the exact answer command", async () => {
    const t = await askingTask();
    expect(t.code).toBe(6);
    expect(t.stdout).toContain(QUESTION);
    expect(t.stdout).toContain("1) yes, convert them");
    expect(t.stdout).toContain("2) no, numbers only");
    expect(t.stdout).toContain(`cadre answer ${t.id} 'yes, convert them'`);
    expect(t.stdout).toContain("Needs input");

    const shown = await h.cli(["task", "show", t.id]);
    expect(shown.stdout).toContain(QUESTION);
    expect(shown.stdout).toContain(`cadre answer ${t.id}`);

    // The printed command works as printed.
    const answered = await h.cli(["answer", t.id, "yes, convert them", "--wait"]);
    expect(answered.code, answered.stderr).toBe(0);
    expect(answered.stdout).toContain("Done as answered (yes, convert them).");
  });

  it("cadre answer with no text and no terminal prints the question and says how to answer", async () => {
    const t = await askingTask();
    const r = await h.cli(["answer", t.id]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(QUESTION);
    expect(r.stderr).toContain("give the answer as text");
  });

  it("on a terminal, cadre answer offers the options and sends the one picked", async () => {
    const t = await askingTask();
    const r = await onTerminal(["answer", t.id, "--wait"], h.env, "2\n");
    expect(r.output).toContain("1) yes, convert them");
    expect(r.code, r.output).toBe(0);
    const events = (await h.events(t.id)) as Event[];
    const answer = events.find((e) => e.type === "user_message" && e.kind === "answer");
    expect(answer).toMatchObject({ text: "no, numbers only" });
    const done = await h.json<TaskWithAttempts>(["task", "show", t.id]);
    expect(done.attempts[0]?.summary).toBe("Done as answered (no, numbers only).");
  });
});
