import { spawn } from "node:child_process";
import { CadreError } from "@cadre/protocol";

export interface RunGitOptions {
  cwd?: string;
  /** Extra environment (merged over a minimal, prompt-free git environment). */
  env?: Record<string, string>;
  input?: string | Buffer;
  /** Exit codes that are not errors (e.g. 1 for `merge-tree` conflicts). */
  okCodes?: number[];
  maxBuffer?: number;
  /**
   * A command git runs under, e.g. nsenter into a sandbox's mount namespace where a work tree is
   * mounted (git resolves work trees with realpath, which a /proc/<pid>/root path does not survive).
   */
  prefix?: string[];
}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs git with an argument vector (never a shell). Callers put user-supplied refs and paths
 * after `--` or validate them with `assertSafeRef`, so user text never becomes an option.
 */
export function runGit(args: string[], opts: RunGitOptions = {}): Promise<GitResult> {
  const okCodes = opts.okCodes ?? [0];
  return new Promise((resolve, reject) => {
    const [program, ...rest] = [...(opts.prefix ?? []), "git", ...args];
    const child = spawn(program as string, rest, {
      cwd: opts.cwd,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? "/",
        GIT_TERMINAL_PROMPT: "0",
        GIT_CONFIG_NOSYSTEM: "1",
        LC_ALL: "C",
        ...opts.env,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    const max = opts.maxBuffer ?? 1024 * 1024 * 1024;
    child.stdout.on("data", (b: Buffer) => {
      size += b.length;
      if (size <= max) out.push(b);
    });
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) =>
      reject(new CadreError("git_failed", `could not run git: ${e.message}. Install it with: apt-get install git`)),
    );
    child.on("close", (code) => {
      const stderr = Buffer.concat(err).toString("utf8");
      const c = code ?? -1;
      if (!okCodes.includes(c)) {
        reject(
          new CadreError("git_failed", `git ${args[0] ?? ""} failed: ${stderr.trim() || `exit code ${c}`}`, {
            args: args.slice(0, 3),
            code: c,
          }),
        );
        return;
      }
      resolve({ code: c, stdout: Buffer.concat(out), stderr });
    });
    child.stdin.on("error", () => undefined);
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

export async function gitText(args: string[], opts: RunGitOptions = {}): Promise<string> {
  return (await runGit(args, opts)).stdout.toString("utf8");
}
