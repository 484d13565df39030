import { randomBytes } from "node:crypto";
import { rename, stat } from "node:fs/promises";
import * as gitModule from "@cadre/git";
import { runGit } from "@cadre/git";
import { removeTree } from "./remove-tree.ts";

type CreateCheckout = (mirrorPath: string, commit: string, destDir: string) => Promise<unknown>;

/**
 * Materializes `commit` as a standalone repository at `dest`. Uses @cadre/git's createCheckout
 * when that package exports it; otherwise a local fetch of just that commit (no alternates, so
 * nothing inside points at the mirror's files), built aside and renamed into place.
 */
export async function materializeCommit(mirrorPath: string, commit: string, dest: string): Promise<void> {
  const shared = (gitModule as unknown as Record<string, unknown>).createCheckout;
  if (typeof shared === "function") {
    await (shared as CreateCheckout)(mirrorPath, commit, dest);
    return;
  }
  const tmp = `${dest}.tmp-${randomBytes(6).toString("hex")}`;
  const env = { GIT_CONFIG_GLOBAL: "/dev/null", GIT_ALLOW_PROTOCOL: "file" };
  try {
    await runGit(["-c", "init.defaultBranch=main", "init", "--quiet", "--template=", tmp], { env });
    await runGit(
      [
        "-c",
        "protocol.version=2",
        "fetch",
        "--quiet",
        "--depth=1",
        "--no-tags",
        "--no-write-fetch-head",
        mirrorPath,
        commit,
      ],
      { cwd: tmp, env },
    );
    await runGit(["checkout", "--quiet", "--detach", commit], { cwd: tmp, env });
    await rename(tmp, dest);
  } finally {
    if (await stat(tmp).catch(() => null)) await removeTree(tmp);
  }
}
