import { CadreError } from "@cadre/protocol";
import { hashToken } from "@cadre/store";
import type { ServerContext } from "../server-context.ts";
import type { RunnerPrincipal, RunnerTokenPrincipal } from "./runner-principal.ts";

function bearer(header: string | undefined): string {
  const match = /^Bearer\s+(\S{1,200})$/.exec(header ?? "");
  if (!match)
    throw new CadreError(
      "unauthorized",
      "missing runner credentials: a runner registers with 'Authorization: Bearer <runner token>' (an admin makes one with 'cadre runner token create <name>')",
    );
  return match[1] as string;
}

/** A runner token, looked up by its hash on every call (revocation is immediate on every instance). */
export async function authenticateRunnerToken(
  ctx: ServerContext,
  header: string | undefined,
): Promise<RunnerTokenPrincipal> {
  const token = await ctx.store.runnerTokens.authenticate(bearer(header));
  if (!token)
    throw new CadreError(
      "unauthorized",
      "the runner token was refused (unknown or revoked; user tokens are not runner tokens): ask an admin for one with 'cadre runner token create <name>'",
    );
  return { tokenId: token.id, tokenName: token.name };
}

/** The session secret a registration returned; refused once the runner left or its token was revoked. */
export async function authenticateRunnerSession(
  ctx: ServerContext,
  header: string | undefined,
): Promise<RunnerPrincipal> {
  const runner = await ctx.store.runners.bySession(hashToken(bearer(header)));
  if (!runner)
    throw new CadreError(
      "unauthorized",
      "the runner session was refused (the runner left, or its token was revoked): restart the runner; if its token was revoked, ask an admin for a new one with 'cadre runner token create <name>'",
    );
  return { runnerId: runner.id, name: runner.name, tokenId: runner.tokenId };
}
