import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DEFAULT_LIMITS, type NetworkPolicy } from "@cadre/protocol";
import type { ProvisionRequest, SandboxEnvironment } from "./types.ts";

/** Test-only helpers: a small repository with a bare mirror, and request builders. */
export interface TestRepo {
  dir: string;
  mirror: string;
  commit: string;
  /** Commits a change set on top of the last commit; returns the new sha. */
  commitFiles: (files: Record<string, string | null>, executable?: string[]) => string;
  cleanup: () => void;
}

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@t",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@t",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

export function makeTestRepo(files: Record<string, string>): TestRepo {
  const dir = mkdtempSync(join(tmpdir(), "cadre-sbx-repo-"));
  const work = join(dir, "work");
  const mirror = join(dir, "mirror.git");
  const git = (args: string[], cwd = work): string =>
    execFileSync("git", args, { cwd, env: GIT_ENV }).toString().trim();
  mkdirSync(work);
  git(["init", "-q", "-b", "main"]);
  const commitFiles = (set: Record<string, string | null>, executable: string[] = []): string => {
    for (const [path, content] of Object.entries(set)) {
      const p = join(work, path);
      if (content === null) {
        rmSync(p, { force: true });
        continue;
      }
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content);
      chmodSync(p, executable.includes(path) ? 0o755 : 0o644);
    }
    git(["add", "-A"]);
    git(["commit", "-q", "-m", "c", "--allow-empty"]);
    const sha = git(["rev-parse", "HEAD"]);
    git(["fetch", "-q", work, "+refs/heads/*:refs/heads/*"], mirror);
    return sha;
  };
  execFileSync("git", ["init", "-q", "--bare", mirror], { env: GIT_ENV });
  const commit = commitFiles(files);
  return { dir, mirror, commit, commitFiles, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function testEnvironment(
  over: Partial<SandboxEnvironment> = {},
  policy: Partial<NetworkPolicy> = {},
): SandboxEnvironment {
  return {
    key: "env-1",
    setupScript: "",
    maintenanceScript: "",
    variables: {},
    secrets: {},
    networkPolicy: { mode: "off", allow: [], readOnlyMethods: false, ...policy },
    limits: { ...DEFAULT_LIMITS, commandTimeoutMs: 30_000 },
    setupTtlMs: 3600_000,
    ...over,
  };
}

let counter = 0;
export function testRequest(repo: TestRepo, over: Partial<ProvisionRequest> = {}): ProvisionRequest {
  counter += 1;
  return {
    attemptId: `att-${process.pid}-${counter}`,
    mirrorPath: repo.mirror,
    baseCommit: repo.commit,
    environment: testEnvironment(),
    readOnly: false,
    ...over,
  };
}

/** Host processes whose command line contains `marker` (to prove a sandbox left nothing behind). */
export function hostProcessesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(marker)) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** Shell text that sends one HTTP request through the in-sandbox proxy without curl. */
export function proxiedGet(url: string): string {
  const host = new URL(url).host;
  return `exec 3<>/dev/tcp/127.0.0.1/3128 && printf 'GET ${url} HTTP/1.0\\r\\nHost: ${host}\\r\\n\\r\\n' >&3 && cat <&3`;
}
