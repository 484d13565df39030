/**
 * Per-command sandbox overhead: the median wall time of `true` run through a workspace's exec,
 * against a bare `bash -c true` spawned in the same run, before and after the hardening (the
 * seccomp filter, and a network namespace of the phase's own with the egress proxy for policy
 * `on` instead of the host's network). "Before" is a SandboxManager with `hardening: false`.
 * Runs are interleaved so the machine's noise falls on every row alike. The spare rows run on
 * workspaces of their own: the second of two commands back to back, a command 50 ms after the
 * last (an agent's pause between model replies), and commands whose env alternates, so no spare
 * ever matches (the launch without one). "Cadre ms" is the result's own durationMs.
 * Run: npx tsx bench/sandbox-exec.ts
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_LIMITS, type NetworkPolicy } from "@cadre/protocol";
import { SandboxManager, type SandboxEnvironment, type Workspace } from "@cadre/sandbox";
import { median, type BenchTable } from "./lib/table.ts";

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "bench",
  GIT_AUTHOR_EMAIL: "b@b",
  GIT_COMMITTER_NAME: "bench",
  GIT_COMMITTER_EMAIL: "b@b",
};

function makeMirror(dir: string): { mirror: string; commit: string } {
  const work = join(dir, "work");
  const mirror = join(dir, "mirror.git");
  mkdirSync(work);
  const git = (args: string[], cwd = work): string =>
    execFileSync("git", args, { cwd, env: GIT_ENV }).toString().trim();
  git(["init", "-q", "-b", "main"]);
  writeFileSync(join(work, "a.txt"), "a\n");
  git(["add", "-A"]);
  git(["commit", "-q", "-m", "c"]);
  execFileSync("git", ["init", "-q", "--bare", mirror], { env: GIT_ENV });
  git(["fetch", "-q", work, "+refs/heads/*:refs/heads/*"], mirror);
  return { mirror, commit: git(["rev-parse", "HEAD"]) };
}

function environment(policy: NetworkPolicy["mode"]): SandboxEnvironment {
  return {
    key: `bench-${policy}`,
    setupScript: "",
    maintenanceScript: "",
    variables: {},
    secrets: {},
    networkPolicy: {
      mode: policy,
      allow: policy === "allowlist" ? ["registry.npmjs.org"] : [],
      readOnlyMethods: false,
    },
    limits: DEFAULT_LIMITS,
    setupTtlMs: 3600_000,
  };
}

function bareBash(): Promise<Sample> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", "true"], { stdio: "ignore" });
    child.on("error", reject);
    child.on("close", () => {
      const wall = performance.now() - started;
      resolve({ wall, own: wall });
    });
  });
}

async function timedExec(ws: Workspace, env?: Record<string, string>): Promise<Sample> {
  const started = performance.now();
  const result = await ws.exec("true", env ? { env } : {});
  if (result.exitCode !== 0) throw new Error(`sandboxed true failed: ${result.output}`);
  return { wall: performance.now() - started, own: result.durationMs };
}

interface Sample {
  wall: number;
  /** Cadre's own durationMs; the wall time for bare bash. */
  own: number;
}

interface Row {
  label: string;
  run: () => Promise<Sample>;
  samples: Sample[];
}

export async function benchSandboxExec(opts: { runs?: number } = {}): Promise<BenchTable[]> {
  const runs = opts.runs ?? Number(process.env.BENCH_RUNS ?? 40);
  const work = mkdtempSync(join(tmpdir(), "cadre-bench-exec-"));
  const managers = {
    before: new SandboxManager({ root: join(work, "before"), hardening: false }),
    after: new SandboxManager({ root: join(work, "after") }),
  };
  const { mirror, commit } = makeMirror(work);
  const workspaces: Workspace[] = [];
  const open = async (which: "before" | "after", policy: NetworkPolicy["mode"], tag = ""): Promise<Workspace> => {
    const ws = await managers[which].provision({
      attemptId: `bench-${which}-${policy}${tag}`,
      mirrorPath: mirror,
      baseCommit: commit,
      environment: environment(policy),
      readOnly: false,
    });
    workspaces.push(ws);
    return ws;
  };
  try {
    const rows: Row[] = [{ label: "bare bash -c true", run: bareBash, samples: [] }];
    for (const [label, which, policy] of [
      ["before, policy off (no seccomp)", "before", "off"],
      ["after, policy off (seccomp)", "after", "off"],
      ["before, policy on (host network, no seccomp)", "before", "on"],
      ["after, policy on (own netns + proxy, seccomp)", "after", "on"],
      ["after, policy allowlist (own netns + proxy, seccomp)", "after", "allowlist"],
    ] as const) {
      const ws = await open(which, policy);
      rows.push({ label, run: () => timedExec(ws), samples: [] });
    }
    const pair = await open("after", "off", "pair");
    rows.push({
      label: "after, policy off, spare: 2nd of two back to back",
      run: async () => {
        await timedExec(pair);
        return timedExec(pair);
      },
      samples: [],
    });
    const paused = await open("after", "off", "gap");
    rows.push({
      label: "after, policy off, spare: 50 ms after the last",
      run: async () => {
        await sleep(50);
        return timedExec(paused);
      },
      samples: [],
    });
    const alternating = await open("after", "off", "nospare");
    let turn = 0;
    rows.push({
      label: "after, policy off, no spare matches (env alternates)",
      run: () => timedExec(alternating, { CADRE_BENCH_TURN: String((turn += 1) % 2) }),
      samples: [],
    });
    // Warm-up: first commands start the holder, the proxy and the forwarder, and fill caches.
    for (const row of rows) for (let i = 0; i < 3; i++) await row.run();
    for (let i = 0; i < runs; i++) for (const row of rows) row.samples.push(await row.run());
    const walls = (row: Row | undefined): number[] => (row?.samples ?? []).map((sample) => sample.wall);
    const base = median(walls(rows[0]).length > 0 ? walls(rows[0]) : [0]);
    const byLabel = new Map(rows.map((row) => [row.label, median(walls(row))]));
    const delta = (after: string, before: string): number => (byLabel.get(after) ?? 0) - (byLabel.get(before) ?? 0);
    return [
      {
        title: `sandbox exec overhead per command (median of ${runs}, ms)`,
        columns: ["path", "median ms", "over bare bash ms", "x bare bash", "Cadre ms", "Cadre over bare ms"],
        rows: rows.map((row) => {
          const m = median(walls(row));
          const own = median(row.samples.map((sample) => sample.own));
          return [row.label, m, m - base, m / base, own, own - base];
        }),
        notes: [
          `hardening cost, policy off: ${delta("after, policy off (seccomp)", "before, policy off (no seccomp)").toFixed(2)} ms per command`,
          `hardening cost, policy on: ${delta("after, policy on (own netns + proxy, seccomp)", "before, policy on (host network, no seccomp)").toFixed(2)} ms per command`,
          "before the change, allowlist also started node inside the sandbox for every command (its forwarder); now the forwarder runs once per attempt outside it",
        ],
      },
    ];
  } finally {
    for (const ws of workspaces) await ws.destroy().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { formatTable } = await import("./lib/table.ts");
  for (const table of await benchSandboxExec()) console.log(formatTable(table));
}
