import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Event, TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../../support/cadre-harness.ts";
import { shellStep, turnStep } from "../../support/script-helpers.ts";
import { parseSyscalls, SYSCALL_PROBE } from "./syscall-probe.ts";

const EPERM = 1;
const ENOSYS = 38;

/** What a coding task does that must keep working under the filter: threads, child processes, git. */
const ORDINARY_WORK = [
  `node -e 'const { execFileSync } = require("node:child_process"); const { Worker } = require("node:worker_threads"); new Worker("process.exit(0)", { eval: true }).on("exit", () => console.log("node-ok", execFileSync("echo", ["child"]).toString().trim()))'`,
  `python3 -c 'import threading, subprocess; t = threading.Thread(target=lambda: None); t.start(); t.join(); print("python-ok", subprocess.run(["true"]).returncode)'`,
  `git status --short >/dev/null && echo git-ok`,
  `(sleep 0.1 & wait) && echo shell-ok`,
].join("\n");

function script(ctx: ScriptContext): Step {
  if (turnStep(ctx) === 0) return shellStep(`python3 - <<'CADRE_PROBE'\n${SYSCALL_PROBE}\nCADRE_PROBE`);
  if (turnStep(ctx) === 1) return shellStep(ORDINARY_WORK);
  return { text: "done" };
}

/** Each class of syscall a coding task never needs, as the issue names them. */
const REFUSED: Record<string, string[]> = {
  "kernel keyrings": ["add_key", "request_key", "keyctl"],
  bpf: ["bpf"],
  "perf events": ["perf_event_open"],
  userfaultfd: ["userfaultfd"],
  "module loading": ["init_module", "finit_module", "delete_module"],
  kexec: ["kexec_load", "kexec_file_load"],
  io_uring: ["io_uring_setup", "io_uring_enter", "io_uring_register"],
  "file handles": ["open_by_handle_at"],
  "mount family and chroot": ["mount", "umount2", "pivot_root", "fsopen", "open_tree", "chroot"],
  "namespace creation and entry": ["unshare", "clone", "setns"],
  "personality tricks": ["personality"],
  ptrace: ["ptrace"],
};

describe("seccomp: the syscalls a coding task never needs are refused with EPERM", () => {
  let h: Harness;
  let output = "";

  beforeAll(async () => {
    h = await startHarness({ script });
    const task = await h.json<TaskWithAttempts>(["task", "new", "probe the kernel", "--repo", "calc", "--wait"]);
    expect(task.status).toBe("completed");
    const events: Event[] = await h.events(task.id);
    output = events.map((e) => (e.type === "command_output" ? e.chunk : "")).join("");
  });
  afterAll(async () => h?.stop());

  it("ran the probe under a seccomp filter (mode 2)", () => {
    expect(output).toContain("SYSCALLS-DONE");
    expect(output).toMatch(/^SECCOMP 2$/m);
  });

  for (const [kind, names] of Object.entries(REFUSED)) {
    it(`refuses ${kind}: ${names.join(", ")}`, () => {
      const results = parseSyscalls(output);
      for (const name of names) expect(results.get(name), name).toBe(EPERM);
    });
  }

  it("answers clone3 with ENOSYS, so libc falls back to clone (whose namespace flags it can check)", () => {
    expect(parseSyscalls(output).get("clone3")).toBe(ENOSYS);
  });

  it("leaves ordinary work alone: threads, workers, child processes, git", () => {
    for (const marker of ["node-ok child", "python-ok 0", "git-ok", "shell-ok"]) expect(output).toContain(marker);
  });
});
