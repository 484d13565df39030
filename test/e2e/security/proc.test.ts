import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Event, TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../../support/cadre-harness.ts";
import { shellStep, turnStep } from "../../support/script-helpers.ts";

const SECRET = "proc1-secret-9c41d2";
const VARIABLE = "proc1-variable-5e7a0b";

/** Everything the sandbox's pid 1 exposes in /proc, between markers. */
const READ_PID1 = [
  "echo '<<CMDLINE'; tr '\\0' '\\n' </proc/1/cmdline; echo; echo 'CMDLINE>>'",
  "echo '<<ENVIRON'; tr '\\0' '\\n' </proc/1/environ 2>/dev/null; echo; echo 'ENVIRON>>'",
  "echo '<<LINKS'; for l in cwd root exe; do readlink /proc/1/$l 2>/dev/null; done; echo 'LINKS>>'",
  "echo '<<MAPS'; awk '{ print $6 }' /proc/1/maps 2>/dev/null | sort -u; echo 'MAPS>>'",
  // Every mount's source and options (overlay layers, bound files) as the sandbox sees them.
  "echo '<<MOUNTS'; cat /proc/1/mountinfo /proc/self/mountinfo; echo 'MOUNTS>>'",
].join("\n");

function script(ctx: ScriptContext): Step {
  if (turnStep(ctx) === 0) return shellStep(READ_PID1);
  return { text: "done" };
}

function section(output: string, name: string): string[] {
  const match = new RegExp(`<<${name}\\n([\\s\\S]*?)${name}>>`).exec(output);
  expect(match, `section ${name}`).not.toBeNull();
  return (match?.[1] ?? "").split("\n").filter((line) => line.trim() !== "");
}

describe("/proc/1 inside the sandbox reveals no host path and no server environment", () => {
  let h: Harness;
  const outputs: Record<"setup" | "agent", string> = { setup: "", agent: "" };

  beforeAll(async () => {
    h = await startHarness({ script });
    const created = await h.cli([
      "env",
      "create",
      "proc1",
      "--repo",
      "calc",
      "--secret",
      `PROC1_SECRET=${SECRET}`,
      "--var",
      `PROC1_VARIABLE=${VARIABLE}`,
      "--setup",
      READ_PID1,
    ]);
    expect(created.code, created.stderr).toBe(0);
    const task = await h.json<TaskWithAttempts>([
      "task",
      "new",
      "look at pid 1",
      "--repo",
      "calc",
      "--env",
      "proc1",
      "--wait",
    ]);
    expect(task.status).toBe("completed");
    const events: Event[] = await h.events(task.id);
    outputs.setup = events.map((e) => (e.type === "setup_output" ? e.chunk : "")).join("");
    outputs.agent = events.map((e) => (e.type === "command_output" ? e.chunk : "")).join("");
  });
  afterAll(async () => h?.stop());

  for (const phase of ["setup", "agent"] as const) {
    describe(`in the ${phase} phase`, () => {
      it("cmdline names no host path, no variable and no secret", () => {
        const cmdline = section(outputs[phase], "CMDLINE");
        expect(cmdline.length).toBeGreaterThan(0);
        const text = cmdline.join(" ");
        expect(text).not.toContain(h.home);
        // The command's own text is there (it reads /proc/1); a holder's /proc/<pid>/root path is not.
        expect(text).not.toMatch(/\/proc\/\d+\/root/);
        expect(text).not.toContain("--setenv");
        expect(text).not.toContain(VARIABLE);
        // A secret would show redacted (the output is filtered), so look for the marker instead.
        expect(text).not.toContain("[secret]");
      });

      it("environ holds nothing of the server's environment", () => {
        const environ = section(outputs[phase], "ENVIRON");
        for (const line of environ) {
          expect(line).not.toContain(h.home);
          expect(line).not.toMatch(/^CADRE_/);
          // The generic PATH (the server's own names host directories) and the shell's PWD of / at most.
          expect(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "PWD=/"]).toContain(line);
        }
      });

      it("cwd, root, exe and maps point at no path under the Cadre home or the workspace's host location", () => {
        for (const line of [...section(outputs[phase], "LINKS"), ...section(outputs[phase], "MAPS")]) {
          expect(line).not.toContain(h.home);
          expect(line).not.toMatch(/\/proc\/\d+\/root/);
        }
      });

      it("mountinfo names no host location of the workspace layers or the sandbox user's files", () => {
        const mounts = section(outputs[phase], "MOUNTS");
        // The workspace overlay and /etc/passwd are there, so the check reads the lines that used to leak.
        expect(mounts.some((line) => / \/workspace .* overlay /.test(line))).toBe(true);
        expect(mounts.some((line) => line.includes(" /etc/passwd "))).toBe(true);
        for (const line of mounts) {
          expect(line).not.toContain(h.home);
          expect(line).not.toContain("/sandboxes/");
        }
      });
    });
  }
});
