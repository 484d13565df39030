import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ImageReference } from "@cadre/protocol";

export interface SkopeoRun {
  args: string[];
  /** Scratch space (oci-archive extraction happens under TMPDIR). */
  tmpDir: string;
  timeoutMs: number;
  onLine?: (line: string) => void;
}

export interface SkopeoResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs Debian's skopeo with a cleared environment; signature policy is not Cadre's check (digests are). */
export function runSkopeo(run: SkopeoRun): Promise<SkopeoResult> {
  return new Promise((resolve) => {
    const child = spawn("skopeo", ["--insecure-policy", "--tmpdir", run.tmpDir, ...run.args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", TMPDIR: run.tmpDir, HOME: run.tmpDir },
      timeout: run.timeoutMs,
      killSignal: "SIGKILL",
    });
    const out: Buffer[] = [];
    let err = "";
    let partial = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out.push(chunk);
      if (!run.onLine) return;
      partial += chunk.toString("utf8");
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") run.onLine(line.trim());
    });
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
    child.on("error", (error) =>
      resolve({
        code: null,
        stdout: Buffer.alloc(0),
        stderr: `could not run skopeo (${error.message}); install it: apt-get install skopeo`,
      }),
    );
    child.on("close", (code, signal) =>
      resolve({
        code,
        stdout: Buffer.concat(out),
        stderr: signal ? `skopeo was killed (${signal}) after ${run.timeoutMs} ms; is the registry reachable?` : err,
      }),
    );
  });
}

/** The last meaningful line of skopeo's error output, without its log prefix. */
export function skopeoCause(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) =>
      l
        .replace(/^time="[^"]*" level=\w+ msg="?/, "")
        .replace(/"$/, "")
        .trim(),
    )
    .filter(Boolean);
  const last = lines.pop() ?? "skopeo failed without a message";
  return last.replace(/^Error: /, "");
}

export interface RegistryCredentials {
  username: string;
  password: string;
}

/** The secrets an environment uses to log in to its image's registry. */
export const REGISTRY_SECRETS = { username: "IMAGE_REGISTRY_USERNAME", password: "IMAGE_REGISTRY_PASSWORD" } as const;

export function registryCredentials(secrets: Record<string, string>): RegistryCredentials | null {
  const username = secrets[REGISTRY_SECRETS.username];
  const password = secrets[REGISTRY_SECRETS.password];
  return username && password ? { username, password } : null;
}

/**
 * Runs `use` with skopeo arguments that log in to the reference's registry: an auth file with
 * mode 0600 in a private directory (never credentials on a command line, where `ps` shows them).
 */
export async function withAuthArgs<T>(
  ref: ImageReference,
  credentials: RegistryCredentials | null,
  tmpDir: string,
  use: (authArgs: string[]) => Promise<T>,
): Promise<T> {
  if (ref.transport !== "docker" || !credentials) return use([]);
  const dir = await mkdtemp(join(tmpDir, "auth-"));
  try {
    const file = join(dir, "auth.json");
    const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
    await writeFile(file, JSON.stringify({ auths: { [ref.registry]: { auth } } }), { mode: 0o600 });
    return await use(["--authfile", file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
