import { CadreError, type User } from "@cadre/protocol";
import type { Handlers } from "./route-registry.ts";
import type { ServerContext } from "./server-context.ts";
import { forgeLogins } from "./forge/forge-logins.ts";
import type { Principal } from "./principal.ts";
import { requireRepo, requireRole, visibleRepoIds } from "./access.ts";

type UserHandlers = Pick<
  Handlers,
  | "whoami"
  | "listUsers"
  | "createUser"
  | "updateUser"
  | "createToken"
  | "listTokens"
  | "revokeToken"
  | "grantRepo"
  | "revokeGrant"
>;

/** Users, tokens and grants: admins manage everyone; any user may list, create and revoke their own tokens. */
export function userHandlers(ctx: ServerContext): UserHandlers {
  async function find(name: string): Promise<User> {
    const u = await ctx.store.users.find(name);
    if (!u) throw new CadreError("not_found", `no user named '${name}': list users with 'cadre user list'`);
    return u;
  }
  function selfOrAdmin(p: Principal, name: string): void {
    if (p.user !== name) requireRole(p, "admin");
  }

  return {
    async whoami({ principal }) {
      return { user: principal.user, role: principal.role, repos: await visibleRepoIds(ctx, principal) };
    },
    async listUsers({ principal }) {
      requireRole(principal, "admin");
      return { items: await ctx.store.users.list() };
    },
    async createUser({ body, principal }) {
      requireRole(principal, "admin");
      const identity = { email: body.email, displayName: body.displayName };
      const logins = await forgeLogins(ctx, body.forgeLogins);
      if (!(await ctx.store.users.ensure(body.name, body.role, principal.user, identity))) {
        throw new CadreError(
          "conflict",
          `a user named '${body.name}' already exists: give them another token with 'cadre token create --user ${body.name}'`,
        );
      }
      for (const login of logins) await ctx.store.users.mapForgeLogin(body.name, login.forgeId, login.login);
      const token = await ctx.store.users.createToken(body.name, "initial");
      return { user: await find(body.name), token };
    },
    async updateUser({ params, body, principal }) {
      selfOrAdmin(principal, params.name);
      await find(params.name);
      return (await ctx.store.users.setIdentity(params.name, body)) ?? find(params.name);
    },
    async createToken({ params, body, principal }) {
      selfOrAdmin(principal, params.name);
      await find(params.name);
      return ctx.store.users.createToken(params.name, body.label);
    },
    async listTokens({ params, principal }) {
      selfOrAdmin(principal, params.name);
      await find(params.name);
      return { items: await ctx.store.users.tokens(params.name) };
    },
    async revokeToken({ params, principal }) {
      const token = await ctx.store.users.token(params.id);
      if (!token || (token.user !== principal.user && principal.role !== "admin")) {
        throw new CadreError("not_found", `token ${params.id} not found: list tokens with 'cadre token list'`);
      }
      return (await ctx.store.users.revokeToken(params.id)) ?? token;
    },
    async grantRepo({ params, body, principal }) {
      requireRole(principal, "admin");
      await find(params.name);
      const repo = await requireRepo(ctx, principal, body.repo);
      await ctx.store.users.grant(params.name, repo.id, principal.user);
      return find(params.name);
    },
    async revokeGrant({ params, principal }) {
      requireRole(principal, "admin");
      await find(params.name);
      const repo = await requireRepo(ctx, principal, params.repo);
      await ctx.store.users.ungrant(params.name, repo.id);
      return find(params.name);
    },
  };
}
