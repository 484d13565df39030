import { CadreError } from "@cadre/protocol";
import type { ServerContext } from "../server-context.ts";

/** `forge:login` references resolved to forges, refused as a whole when a forge is unknown. */
export async function forgeLogins(ctx: ServerContext, refs: string[]): Promise<{ forgeId: string; login: string }[]> {
  const out: { forgeId: string; login: string }[] = [];
  for (const ref of refs) {
    const colon = ref.indexOf(":");
    const name = ref.slice(0, colon);
    const forge = await ctx.store.forges.find(name);
    if (!forge)
      throw new CadreError(
        "not_found",
        `no forge named ${name} (in --forge-login ${ref}): list forges with 'cadre forge list'`,
      );
    out.push({ forgeId: forge.id, login: ref.slice(colon + 1) });
  }
  return out;
}
