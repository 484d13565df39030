import { spawn, type ChildProcess } from "node:child_process";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

/** A Cadre checkout with its own node_modules: this repository, or an older commit checked out beside it. */
export interface Checkout {
  label: string;
  root: string;
}

export const cliOf = (checkout: Checkout): string => join(checkout.root, "apps", "cli", "bin", "cadre.js");

export interface Spawned {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end and times it from spawn to exit. */
export function timeSpawn(
  program: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<Spawned> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end();
    child.on("error", reject);
    child.on("close", (code) => resolve({ ms: performance.now() - started, code, stdout, stderr }));
  });
}

/** Resident memory (VmRSS) of a process and every process below it, in MB. */
export async function treeRssMb(pid: number): Promise<number> {
  const parents = new Map<number, number[]>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // The command name is in parentheses and may hold spaces: the parent pid is the second field after it.
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    parents.set(parent, [...(parents.get(parent) ?? []), Number(entry)]);
  }
  let kb = 0;
  const visit = async (current: number): Promise<void> => {
    const status = await readFile(`/proc/${current}/status`, "utf8").catch(() => "");
    kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    for (const child of parents.get(current) ?? []) await visit(child);
  };
  await visit(pid);
  return kb / 1024;
}

export interface ServeProcess {
  url: string;
  token: string;
  pid: number;
  stop: () => Promise<void>;
}

/** `cadre serve` of a checkout (embedded PGlite) on a free port, once it says where it runs. */
export async function startServe(checkout: Checkout, home: string): Promise<ServeProcess> {
  const child: ChildProcess = spawn(process.execPath, [cliOf(checkout), "serve", "--port", "0", "--slots", "2"], {
    env: { ...process.env, CADRE_HOME: home },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cadre serve did not start in 120 s:\n${output}`)), 120_000);
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /Cadre is running at (http:\/\/\S+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve(match[1] as string);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`cadre serve exited with ${code}:\n${output}`));
    });
  });
  const token = (await readFile(join(home, "token"), "utf8")).trim();
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  return { url, token, pid: child.pid as number, stop };
}
