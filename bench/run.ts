/**
 * `npm run bench`: every benchmark, each printing a table of ratios against a baseline measured
 * in the same run (these machines are shared and noisy). `npm run bench -- first-task` runs one.
 */
import { formatTable, type BenchTable } from "./lib/table.ts";

const suites: Record<string, () => Promise<BenchTable[]>> = {
  "first-task": async () => (await import("./first-task.ts")).benchFirstTask(),
  provisioning: async () => (await import("./provisioning.ts")).benchProvisioning(),
  "sandbox-exec": async () => (await import("./sandbox-exec.ts")).benchSandboxExec(),
  "agent-vs-codex": async () => (await import("./agent-vs-codex.ts")).benchAgentVsCodex(),
  review: async () => (await import("./review.ts")).benchReview(),
  "approve-selection": async () => (await import("./approve-selection.ts")).benchApproveSelection(),
  web: async () => (await import("./web.ts")).benchWeb(),
  load: async () => (await import("./load.ts")).benchLoad(),
  "sse-fanout": async () => (await import("./sse-fanout.ts")).benchSseFanout(),
  images: async () => (await import("./images.ts")).benchImages(),
  "perf-table": async () => (await import("./perf-table.ts")).benchPerfTable(),
  "forge-webhooks": async () => (await import("./forge-webhooks.ts")).benchForgeWebhooks(),
};

const only = process.argv.slice(2);
for (const [name, run] of Object.entries(suites)) {
  if (only.length && !only.includes(name)) continue;
  try {
    for (const t of await run()) console.log(formatTable(t));
  } catch (e) {
    console.log(`## ${name}\n  not run: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}
process.exit(0);
