import { lstat } from "node:fs/promises";
import type { EventBody } from "@cadre/protocol";
import { commitChanges, gitPathBytes } from "@cadre/git";
import type { SkippedPath, Workspace, WorkspaceChange } from "@cadre/sandbox";

export interface CheckpointTarget {
  workspace: Pick<Workspace, "changes">;
  mirror: string;
  /** The attempt's base commit: every checkpoint is one commit on top of it. */
  base: string;
  /** The attempt's head when the run starts: its base, or the checkpoint its workspace was restored from. */
  head: string;
  ref: string;
  emit: (event: EventBody) => Promise<void>;
  /** Makes the commit the server's (pushes it) before it is recorded: any runner can then resume from it. */
  publish: (commit: string) => Promise<void>;
}

/** How many left-out paths one notice names. */
const NAMED_IN_NOTICE = 20;

/** The fingerprint of a workspace that does not differ from its base. */
const NO_CHANGES = "";

/** A cheap fingerprint of the workspace's changes, so an unchanged workspace is not committed again. */
async function fingerprint(changes: WorkspaceChange[]): Promise<string> {
  const parts = await Promise.all(
    changes.map(async (c) => {
      const path = gitPathBytes(c.path).toString("hex");
      if (c.kind === "delete") return `D ${path}`;
      const st = await lstat(c.hostPath).catch(() => null);
      return `U ${path} ${c.mode} ${st?.size ?? -1} ${st?.mtimeMs ?? -1} ${st?.ino ?? -1}`;
    }),
  );
  return parts.sort().join("\n");
}

function describeSkipped(skipped: SkippedPath[]): string {
  const named = skipped.slice(0, NAMED_IN_NOTICE).map((s) => `${JSON.stringify(s.path)} (${s.reason})`);
  const more = skipped.length > NAMED_IN_NOTICE ? ` and ${skipped.length - NAMED_IN_NOTICE} more` : "";
  const nested = skipped.some((s) => s.kind === "nested_repository")
    ? " A directory with its own .git is a separate repository: remove its .git to keep its files in the change."
    : "";
  return `not in the checkpoint: ${named.join(", ")}${more}.${nested}`;
}

/**
 * Commits the workspace's changes into the mirror as the attempt's checkpoint when they changed
 * since the last one (and publishes it to the server), and says once per path what it had to leave out (nested repositories,
 * names git cannot store).
 */
export class AttemptCheckpoint {
  private lastPrint: string | null;
  private readonly reported = new Set<string>();

  constructor(private readonly target: CheckpointTarget) {
    // A workspace still at its base needs no commit (and no git) until something in it changes.
    this.lastPrint = target.head === target.base ? NO_CHANGES : null;
  }

  /** The checkpoint commit, or null when nothing changed since the last one. */
  async commit(message: string): Promise<string | null> {
    const { changes, skipped } = await this.target.workspace.changes();
    const fresh = skipped.filter((s) => !this.reported.has(s.path));
    for (const s of fresh) this.reported.add(s.path);
    if (fresh.length > 0) await this.target.emit({ type: "notice", level: "warning", message: describeSkipped(fresh) });
    const print = await fingerprint(changes);
    if (print === this.lastPrint) return null;
    const result = await commitChanges({
      gitDir: this.target.mirror,
      parent: this.target.base,
      changes,
      ref: this.target.ref,
      message,
    });
    await this.target.publish(result.commit);
    this.lastPrint = print;
    return result.commit;
  }
}
