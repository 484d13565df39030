import type { GitPath } from "@cadre/git";
import { CadreError, type Limits, type NetworkPolicy } from "@cadre/protocol";

export interface SandboxExecOptions {
  cwd?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  onOutput?: (stream: "stdout" | "stderr", chunk: string) => void;
  /** Extra variables for this command only. */
  env?: Record<string, string>;
}

export interface SandboxExecResult {
  exitCode: number | null;
  timedOut: boolean;
  cancelled: boolean;
  output: string;
  truncated: boolean;
  totalBytes: number;
  durationMs: number;
  /** The limit that stopped or hampered the command, in words (e.g. "killed: memory limit 512 MB"). */
  limit?: string;
}

export interface WorkspaceFileStat {
  type: "file" | "dir" | "symlink" | "other";
  size: number;
  executable: boolean;
}

/** One changed path of a workspace relative to its base commit (bytes when the name is not UTF-8). */
export type WorkspaceChange =
  | { kind: "upsert"; path: GitPath; hostPath: Buffer; mode: "100644" | "100755" | "120000" }
  | { kind: "delete"; path: GitPath };

/** A path of the workspace that a checkpoint leaves out, and why. */
export interface SkippedPath {
  path: string;
  /** A directory holding its own .git (a nested clone), or a name git refuses to store. */
  kind: "nested_repository" | "unstorable_name";
  reason: string;
}

export interface WorkspaceChanges {
  changes: WorkspaceChange[];
  skipped: SkippedPath[];
}

/** What a sandbox needs to know of an environment (secrets decrypted by the caller). */
export interface SandboxEnvironment {
  /** Stable key of the environment's setup-relevant content (id + updatedAt is fine). */
  key: string;
  setupScript: string;
  maintenanceScript: string;
  variables: Record<string, string>;
  secrets: Record<string, string>;
  networkPolicy: NetworkPolicy;
  limits: Limits;
  setupTtlMs: number;
  /** OCI image (skopeo transport syntax, or `devcontainer`) whose root commands run in; none: the host's system. */
  image?: string | null;
}

export interface ProvisionRequest {
  attemptId: string;
  /** Bare mirror of the repo; never visible inside the sandbox. */
  mirrorPath: string;
  /** Full commit sha of the base. */
  baseCommit: string;
  environment: SandboxEnvironment;
  readOnly: boolean;
  /** A checkpoint commit (descendant of baseCommit) whose files the workspace must hold, when resuming elsewhere. */
  restoreCommit?: string;
  onSetupOutput?: (phase: "setup" | "maintenance", chunk: string) => void;
  onNotice?: (level: "info" | "warning" | "error", message: string) => void;
  onNetworkBlocked?: (info: { host: string; method: string; reason: string }) => void;
}

/** An attempt's workspace: base + setup layers + its own writable upper layer. */
export interface Workspace {
  readonly attemptId: string;
  readonly readOnly: boolean;
  /** "overlay" normally; "worktree" when overlayfs is unavailable. */
  readonly kind: "overlay" | "worktree";
  /** The image the sandbox's root is, pinned to its manifest digest; null: the runner's own system. */
  readonly image: { reference: string; digest: string } | null;
  /** The environment's limit per command: every exec is killed by then, whatever it asks for. */
  readonly commandTimeoutMs: number;
  exec(command: string, opts?: SandboxExecOptions): Promise<SandboxExecResult>;
  readFile(path: string): Promise<Buffer | null>;
  writeFile(path: string, data: Buffer | string, opts?: { executable?: boolean }): Promise<void>;
  deleteFile(path: string): Promise<void>;
  stat(path: string): Promise<WorkspaceFileStat | null>;
  /** Paths changed relative to the base commit, for checkpoint commits, and the paths left out. */
  changes(): Promise<WorkspaceChanges>;
  /** Bytes the attempt has written (its upper layer). */
  diskUsage(): Promise<number>;
  /** Stop every process of this workspace; the files stay for a later resume. */
  release(): Promise<void>;
  /** Release and delete the attempt's layer. */
  destroy(): Promise<void>;
}

/** Provisioning or running the sandbox failed; `reason` is what the attempt records, `log` the setup output. */
export class SandboxError extends CadreError {
  readonly reason: "setup_failed" | "sandbox_error" | "timeout";
  readonly log: string;
  constructor(reason: "setup_failed" | "sandbox_error" | "timeout", message: string, log = "") {
    // A failing setup command is the environment's to fix; the other reasons are Cadre's.
    super(reason === "setup_failed" ? "not_configured" : "internal", message);
    this.name = "SandboxError";
    this.reason = reason;
    this.log = log;
  }
}
