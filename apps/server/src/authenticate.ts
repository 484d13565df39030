import { CadreError } from "@cadre/protocol";
import { tokensEqual } from "./auth-token.ts";
import type { Principal } from "./principal.ts";
import type { ServerContext } from "./server-context.ts";

/** The bootstrap admin's name: the owner of the token file in $CADRE_HOME. */
export const BOOTSTRAP_ADMIN = "admin";

/**
 * Who sends `Authorization: Bearer <token>`: the bootstrap token (compared in constant time) is
 * the admin; any other token is looked up by its hash on every request, so a revoked token is
 * refused at once by every instance.
 */
export async function authenticate(
  ctx: ServerContext,
  bootstrapToken: string,
  header: string | undefined,
): Promise<Principal> {
  const match = /^Bearer\s+(\S{1,200})$/.exec(header ?? "");
  if (!match)
    throw new CadreError(
      "unauthorized",
      "missing bearer token: send 'Authorization: Bearer <token>' (the admin's token is in $CADRE_HOME/token; 'cadre token create' makes others)",
    );
  const token = match[1] as string;
  if (tokensEqual(token, bootstrapToken)) return { user: BOOTSTRAP_ADMIN, role: "admin" };
  const user = await ctx.store.users.authenticate(token);
  if (!user)
    throw new CadreError(
      "unauthorized",
      "the token was refused (unknown or revoked): ask an admin for a new one with 'cadre token create --user <you>'",
    );
  return { user: user.name, role: user.role };
}
