import { CadreError, ForgeRepoPath, type CreateRepo, type Repo } from "@cadre/protocol";
import type { RemoteOptions } from "@cadre/git";
import { gitCredentialEnv } from "@cadre/forge";
import type { ForgeRecord } from "@cadre/store";
import type { ServerContext } from "../server-context.ts";

export interface ForgeRepoTarget {
  forge: ForgeRecord;
  repoPath: string;
  remote: RemoteOptions;
}

/** Same scheme, host and port: the forge's credentials are only ever sent to the forge itself. */
export function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/**
 * For `repo add --forge`: the forge, the repository's `owner/name` there (from the URL when not
 * given) and git credentials, after checking that the clone URL is on the forge's own host and
 * that Cadre's credentials can read the repository.
 */
export async function forgeRepoTarget(ctx: ServerContext, body: CreateRepo, origin: string): Promise<ForgeRepoTarget> {
  const forge = await ctx.forges.record(body.forge as string);
  const { adapter, client } = ctx.forges.connect(forge);
  if (!/^https?:\/\//.test(origin) || !sameOrigin(origin, forge.webUrl))
    throw new CadreError(
      "bad_request",
      `${origin} is not on forge ${forge.name} (${forge.webUrl}): a forge repo is added by its https clone URL on that host, e.g. ${forge.webUrl}/owner/name.git`,
    );
  const repoPath = body.forgeRepo ?? adapter.repoPathFromUrl(origin);
  if (!repoPath || !ForgeRepoPath.safeParse(repoPath).success)
    throw new CadreError(
      "bad_request",
      `cannot tell the repository's owner/name from ${origin}: pass --forge-repo owner/name`,
    );
  if (await ctx.store.repos.byForgeRepo(forge.id, repoPath))
    throw new CadreError(
      "conflict",
      `${repoPath} on forge ${forge.name} is already a Cadre repo: see 'cadre repo list'`,
    );
  await ctx.forges.track(forge, () => client.repository(repoPath));
  const credentials = await client.gitCredentials();
  return { forge, repoPath, remote: { env: gitCredentialEnv(origin, credentials) } };
}

/**
 * After a forge repo is added: Cadre's webhook on the repository (created when the credentials
 * may, the app's own webhook for apps, or left for a person to add), and the forge's service
 * user allowed to use the repo.
 */
export async function connectForgeRepo(ctx: ServerContext, target: ForgeRepoTarget, repo: Repo): Promise<Repo> {
  const { forge } = target;
  let webhook: NonNullable<Repo["forge"]>["webhook"] = "manual";
  if (forge.authKind === "app") webhook = "app";
  else if (forge.pollSeconds !== null) webhook = "poll";
  else {
    const { client, webhookSecret } = ctx.forges.connect(forge);
    const result = await client
      .ensureWebhook(target.repoPath, ctx.forges.webhookUrl(forge.name), webhookSecret())
      .catch(() => "not_allowed" as const);
    webhook = result === "not_allowed" ? "manual" : result;
  }
  await ctx.store.repos.setForgeWebhook(repo.id, webhook);
  await ctx.store.users.grant(forge.serviceUser, repo.id, "forge");
  return (await ctx.store.repos.find(repo.id)) as Repo;
}
