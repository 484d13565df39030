/**
 * Provisioning benchmark: time until an attempt's workspace is ready (base and setup layers
 * cached) against `git worktree add` and `git clone --shared` of the same commit, per repo size;
 * 20 attempts at once; and the overhead of a sandboxed command over a raw spawn.
 * Run: npx tsx bench/provisioning.ts
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DEFAULT_LIMITS } from "@cadre/protocol";
import { SandboxManager, type ProvisionRequest, type SandboxEnvironment } from "@cadre/sandbox";

interface Table {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };

/** A bare repository with `files` small files (100 per directory) in one commit, via fast-import. */
function generateMirror(dir: string, files: number): { mirror: string; commit: string } {
  const mirror = join(dir, "mirror.git");
  execFileSync("git", ["init", "-q", "--bare", mirror], { env: GIT_ENV });
  const parts: string[] = [];
  for (let i = 0; i < files; i++) {
    const body = `export const v${i} = ${i};\n// file ${i} of a generated benchmark repository\n`;
    parts.push(`blob\nmark :${i + 1}\ndata ${Buffer.byteLength(body)}\n${body}\n`);
  }
  const msg = "generated\n";
  parts.push(`commit refs/heads/main\ncommitter bench <b@b> 1700000000 +0000\ndata ${msg.length}\n${msg}`);
  for (let i = 0; i < files; i++) parts.push(`M 100644 :${i + 1} src/d${Math.floor(i / 100)}/f${i}.ts\n`);
  parts.push("\n");
  execFileSync("git", ["fast-import", "--quiet"], {
    cwd: mirror,
    input: parts.join(""),
    env: GIT_ENV,
    maxBuffer: 1 << 30,
  });
  const commit = execFileSync("git", ["rev-parse", "refs/heads/main"], { cwd: mirror, env: GIT_ENV }).toString().trim();
  return { mirror, commit };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function timeSync(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

function duBytes(path: string): number {
  const out = spawnSync("du", ["-sb", path]).stdout.toString();
  return Number(out.split("\t")[0] ?? 0);
}

const environment: SandboxEnvironment = {
  key: "bench",
  setupScript: "echo prepared > .setup-done",
  maintenanceScript: "",
  variables: {},
  secrets: {},
  networkPolicy: { mode: "off", allow: [], readOnlyMethods: false },
  limits: DEFAULT_LIMITS,
  setupTtlMs: 3600_000,
};

export async function benchProvisioning(opts: { sizes?: number[]; runs?: number } = {}): Promise<Table[]> {
  const sizes = opts.sizes ?? [1_000, 10_000, 50_000];
  const runs = opts.runs ?? 7;
  const work = mkdtempSync(join(tmpdir(), "cadre-bench-prov-"));
  const manager = new SandboxManager({ root: join(work, "sandboxes") });
  let n = 0;
  const req = (mirror: string, commit: string): ProvisionRequest => ({
    attemptId: `bench-${++n}`,
    mirrorPath: mirror,
    baseCommit: commit,
    environment,
    readOnly: false,
  });
  const sizeTable: Table = {
    title: "Attempt workspace ready (base + setup layers cached), median",
    columns: [
      "files",
      "overlay ms",
      "worktree add ms",
      "clone --shared ms",
      "worktree / overlay",
      "clone / overlay",
      "overlay disk/attempt KB",
      "worktree disk KB",
    ],
    rows: [],
  };
  const burstTable: Table = {
    title: "20 attempts provisioned at once",
    columns: ["files", "total ms", "per attempt ms"],
    rows: [],
  };
  const execTable: Table = { title: "Command overhead (median of 20)", columns: ["what", "ms"], rows: [] };
  try {
    for (const files of sizes) {
      const repoDir = join(work, `repo-${files}`);
      const { mirror, commit } = generateMirror(mkdtempSync(`${repoDir}-`), files);
      const warm = await manager.provision(req(mirror, commit)); // builds base + setup layers
      await warm.destroy();
      const times: number[] = [];
      let disk = 0;
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        const ws = await manager.provision(req(mirror, commit));
        times.push(performance.now() - t);
        disk = await ws.diskUsage();
        await ws.destroy();
      }
      // Copies are slow at the larger sizes: fewer runs keep the benchmark within minutes.
      const copyRuns = files >= 50_000 ? 1 : files >= 10_000 ? 2 : 3;
      const wt: number[] = [];
      const cl: number[] = [];
      let wtDisk = 0;
      for (let i = 0; i < copyRuns; i++) {
        const wtDir = join(work, `wt-${files}-${i}`);
        wt.push(
          timeSync(() =>
            execFileSync("git", ["--git-dir", mirror, "worktree", "add", "-q", "--detach", wtDir, commit], {
              env: GIT_ENV,
            }),
          ),
        );
        wtDisk = duBytes(wtDir);
        execFileSync("git", ["--git-dir", mirror, "worktree", "remove", "--force", wtDir], { env: GIT_ENV });
        const clDir = join(work, `clone-${files}-${i}`);
        cl.push(
          timeSync(
            () =>
              execFileSync("git", ["clone", "-q", "--shared", "--no-checkout", mirror, clDir], { env: GIT_ENV }) &&
              execFileSync("git", ["checkout", "-q", "--detach", commit], { cwd: clDir, env: GIT_ENV }),
          ),
        );
        rmSync(clDir, { recursive: true, force: true });
      }
      const ov = median(times);
      sizeTable.rows.push([
        files,
        round(ov),
        round(median(wt)),
        round(median(cl)),
        round(median(wt) / ov, 0),
        round(median(cl) / ov, 0),
        round(disk / 1024),
        round(wtDisk / 1024),
      ]);

      const t = performance.now();
      const burst = await Promise.all(Array.from({ length: 20 }, () => manager.provision(req(mirror, commit))));
      const total = performance.now() - t;
      burstTable.rows.push([files, round(total), round(total / 20)]);
      if (files === sizes[0]) {
        const ws = burst[0];
        if (ws) {
          const sandboxed: number[] = [];
          const raw: number[] = [];
          for (let i = 0; i < 20; i++) {
            sandboxed.push(await timeAsync(() => ws.exec("true")));
            raw.push(await timeAsync(() => rawSpawn("bash", ["-c", "true"])));
          }
          execTable.rows.push(
            ["raw spawn bash -c true", round(median(raw))],
            ["workspace.exec('true')", round(median(sandboxed))],
            ["overhead", round(median(sandboxed) - median(raw))],
          );
        }
      }
      await Promise.all(burst.map((w) => w.destroy()));
    }
  } finally {
    await manager.gc({ maxAgeMs: 0 }).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
  return [sizeTable, burstTable, execTable];
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

function rawSpawn(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve) => spawn(cmd, args, { stdio: "ignore" }).on("close", () => resolve()));
}

function printTable(t: Table): void {
  console.log(`\n${t.title}`);
  const widths = t.columns.map((c, i) => Math.max(c.length, ...t.rows.map((r) => String(r[i]).length)));
  console.log(t.columns.map((c, i) => c.padStart(widths[i] as number)).join("  "));
  for (const r of t.rows) console.log(r.map((v, i) => String(v).padStart(widths[i] as number)).join("  "));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const sizes = process.argv[2] ? process.argv[2].split(",").map(Number) : undefined;
  for (const t of await benchProvisioning({ sizes })) printTable(t);
}
