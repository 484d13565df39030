import { CadreError, type Repo } from "@cadre/protocol";
import { fetchMirror, fetchRef } from "@cadre/git";
import type { ChangeRequest } from "@cadre/forge";
import { mirrorPath } from "../cadre-home.ts";
import { tracked, type ForgeScope } from "./forge-scope.ts";

export interface ChangeRequestHead {
  changeRequest: ChangeRequest;
  commit: string;
  branch: string;
  /** Its branch is in this repository and Cadre's credentials may push there. */
  pushable: boolean;
}

/**
 * A change request's head, fetched into the mirror (a fork's head too, through the ref the forge
 * keeps for it in the base repository), and whether Cadre may push to its branch.
 */
export async function fetchChangeRequestHead(
  scope: ForgeScope,
  repo: Repo,
  number: number,
): Promise<ChangeRequestHead> {
  const repoPath = repo.forge?.repoPath ?? "";
  const changeRequest = await tracked(scope, (client) => client.changeRequest(repoPath, number));
  const remote = await scope.ctx.forges.remoteOptions(repo);
  const mirror = mirrorPath(scope.ctx.home, repo.id);
  await fetchMirror(mirror, remote);
  const commit = await fetchRef(
    mirror,
    scope.adapter.changeRequestRef(number),
    `refs/cadre/forge/changes/${number}`,
    remote,
  );
  if (!commit)
    throw new CadreError(
      "forge_failed",
      `could not fetch the head of change request #${number} of ${repoPath}: check that Cadre's credentials can read it`,
    );
  const sameRepo = changeRequest.head.repoPath.toLowerCase() === repoPath.toLowerCase();
  const info = sameRepo ? await tracked(scope, (client) => client.repository(repoPath)) : null;
  return { changeRequest, commit, branch: changeRequest.head.branch, pushable: sameRepo && (info?.canPush ?? false) };
}
