import { SandboxError, type ProvisionRequest, type SandboxManager, type Workspace } from "@cadre/sandbox";

/**
 * The attempt's workspace: its existing layer re-attached when this machine has it (a follow-up,
 * an answer, a restart), else provisioned fresh and filled from the last checkpoint (`restoreCommit`,
 * e.g. when another runner resumes it). `fresh` throws the old layer away first (a new base).
 */
export async function attemptWorkspace(
  sandboxes: SandboxManager,
  req: ProvisionRequest,
  fresh = false,
): Promise<Workspace> {
  let existing: Workspace | null = null;
  try {
    existing = await sandboxes.open(req.attemptId, req);
  } catch (e) {
    if (!(e instanceof SandboxError)) throw e;
  }
  if (existing && !fresh) return existing;
  if (existing) await existing.destroy();
  return sandboxes.provision(req);
}
