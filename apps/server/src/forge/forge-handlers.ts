import { CadreError, type CreateForge, type Forge } from "@cadre/protocol";
import { connectStoredForge, forgeAdapter } from "@cadre/forge";
import { encryptSecret, decryptSecret } from "@cadre/secrets";
import type { ForgeRecord, NewForge } from "@cadre/store";
import type { Handlers } from "../route-registry.ts";
import type { ServerContext } from "../server-context.ts";
import { requireRole } from "../access.ts";

type Auth = CreateForge["auth"];

function encryptedSecrets(key: Buffer, auth: Auth, webhookSecret: string): Record<string, string> {
  return {
    ...(auth.kind === "token"
      ? { token: encryptSecret(key, auth.token) }
      : { privateKey: encryptSecret(key, auth.privateKey) }),
    webhookSecret: encryptSecret(key, webhookSecret),
  };
}

function authFields(auth: Auth): Pick<NewForge, "authKind" | "appId" | "installationId"> {
  return auth.kind === "app"
    ? { authKind: "app", appId: auth.appId, installationId: auth.installationId }
    : { authKind: "token", appId: null, installationId: null };
}

/**
 * Signs in with the credentials before they are stored: a wrong token or key is refused now, with
 * the forge's own answer, rather than at the first mention.
 */
async function checkCredentials(ctx: ServerContext, forge: NewForge & { id: string }): Promise<void> {
  const { client } = connectStoredForge(forge, (blob) => decryptSecret(ctx.secretKey, blob));
  try {
    await client.whoami();
  } catch (error) {
    // The credentials or the URL given are wrong: the request's fault, not a failing forge.
    throw new CadreError(
      "bad_request",
      `could not sign in to ${forge.apiUrl}: ${(error as Error).message}. Nothing was saved`,
    );
  }
}

/** Polling only where the adapter can poll; elsewhere the forge must reach Cadre's webhook. */
function refuseUnpollable(kind: string, pollSeconds: number | null | undefined): void {
  const adapter = forgeAdapter(kind);
  if (pollSeconds && !adapter.canPoll)
    throw new CadreError(
      "bad_request",
      `${adapter.title} cannot be polled: leave out --poll and add Cadre's webhook to the repositories (cadre repo add creates it when the token may)`,
    );
}

/** The Cadre user that creates tasks for forge users mapped to nobody: `forge-<name>`, a member. */
async function serviceUser(ctx: ServerContext, name: string, by: string): Promise<string> {
  const user = `forge-${name}`.slice(0, 40);
  await ctx.store.users.ensure(user, "member", by);
  return user;
}

export function forgeHandlers(
  ctx: ServerContext,
): Pick<Handlers, "listForges" | "createForge" | "getForge" | "updateForge" | "deleteForge" | "listForgeDeliveries"> {
  const wire = (forge: ForgeRecord): Forge => ctx.forges.toWire(forge);

  return {
    async listForges() {
      return { items: (await ctx.store.forges.list()).map(wire) };
    },

    async getForge({ params }) {
      return wire(await ctx.forges.record(params.name));
    },

    async createForge({ body, principal }) {
      requireRole(principal, "admin");
      if (await ctx.store.forges.find(body.name))
        throw new CadreError("conflict", `a forge named '${body.name}' already exists: choose another name`);
      const apiUrl = body.apiUrl.replace(/\/+$/, "");
      const adapter = forgeAdapter(body.kind);
      refuseUnpollable(body.kind, body.pollSeconds);
      const forge: NewForge = {
        name: body.name,
        kind: body.kind,
        apiUrl,
        webUrl: (body.webUrl ?? adapter.webUrlFor(apiUrl)).replace(/\/+$/, ""),
        botName: body.botName ?? "cadre",
        ...authFields(body.auth),
        encryptedSecrets: encryptedSecrets(ctx.secretKey, body.auth, body.webhookSecret),
        pollSeconds: body.pollSeconds ?? null,
        pacing: body.pacing ?? adapter.pacedByDefault(apiUrl),
        serviceUser: "",
        createdBy: principal.user,
      };
      await checkCredentials(ctx, { ...forge, id: "new" });
      forge.serviceUser = await serviceUser(ctx, body.name, principal.user);
      return wire(await ctx.store.forges.create(forge));
    },

    async updateForge({ params, body, principal }) {
      requireRole(principal, "admin");
      const current = await ctx.forges.record(params.name);
      refuseUnpollable(current.kind, body.pollSeconds);
      const secrets = { ...current.encryptedSecrets };
      if (body.auth) {
        delete secrets.token;
        delete secrets.privateKey;
        const fresh = encryptedSecrets(ctx.secretKey, body.auth, "-");
        Object.assign(secrets, body.auth.kind === "token" ? { token: fresh.token } : { privateKey: fresh.privateKey });
      }
      if (body.webhookSecret) secrets.webhookSecret = encryptSecret(ctx.secretKey, body.webhookSecret);
      const next = {
        botName: body.botName ?? current.botName,
        ...(body.auth
          ? authFields(body.auth)
          : { authKind: current.authKind, appId: current.appId, installationId: current.installationId }),
        encryptedSecrets: secrets,
        pollSeconds: body.pollSeconds === undefined ? current.pollSeconds : body.pollSeconds,
        pacing: body.pacing ?? current.pacing,
      };
      if (body.auth) await checkCredentials(ctx, { ...current, ...next });
      return wire(await ctx.store.forges.update(current.id, next satisfies Pick<ForgeRecord, keyof typeof next>));
    },

    async deleteForge({ params, query, principal }) {
      requireRole(principal, "admin");
      const forge = await ctx.forges.record(params.name);
      const repos = await ctx.store.repos.forForge(forge.id);
      if (repos.length > 0 && query.force !== "true")
        throw new CadreError(
          "conflict",
          `forge ${forge.name} is used by ${repos.map((r) => r.name).join(", ")}: remove it with --force to keep them as plain git repos`,
        );
      await ctx.store.repos.detachForge(forge.id);
      await ctx.store.forges.remove(forge.id);
      return { ok: true as const };
    },

    async listForgeDeliveries({ params, query, principal }) {
      requireRole(principal, "admin");
      const forge = await ctx.forges.record(params.name);
      return { items: await ctx.store.forgeWork.recentDeliveries(forge.id, query.limit) };
    },
  };
}
