import { randomBytes } from "node:crypto";
import { CadreError, type CreatedAutomation } from "@cadre/protocol";
import { hashToken, type AutomationRecord } from "@cadre/store";
import { requireEnvironment, requireEnvironmentRunsOn, requireRepo, visibleRepoIds } from "../access.ts";
import type { Handlers } from "../route-registry.ts";
import type { ServerContext } from "../server-context.ts";
import { automationNow } from "./automation-clock.ts";
import { automationToWire } from "./automation-wire.ts";
import { checkCron } from "./schedule.ts";

type AutomationHandlers = Pick<
  Handlers,
  "listAutomations" | "createAutomation" | "getAutomation" | "pauseAutomation" | "resumeAutomation" | "deleteAutomation"
>;

export async function findAutomation(ctx: ServerContext, idOrName: string): Promise<AutomationRecord> {
  const found = await ctx.store.automations.find(idOrName);
  if (!found) throw new CadreError("not_found", `automation ${idOrName} not found`, undefined, "cadre automation list");
  return found;
}

export function automationHandlers(ctx: ServerContext): AutomationHandlers {
  return {
    async listAutomations({ query, principal }) {
      const visible = await visibleRepoIds(ctx, principal);
      const repoId = query.repo ? (await ctx.store.repos.find(query.repo))?.id : undefined;
      if (query.repo && !repoId) return { items: [] };
      const records = (await ctx.store.automations.list(repoId)).filter(
        (record) => visible === null || visible.includes(record.repoId),
      );
      return { items: await Promise.all(records.map((record) => automationToWire(ctx, record))) };
    },

    async createAutomation({ body, principal }): Promise<CreatedAutomation> {
      const repo = await requireRepo(ctx, principal, body.repo);
      const trigger = body.trigger;
      if (trigger.kind === "schedule") checkCron(trigger.cron);
      if (trigger.kind === "event" && trigger.event === "issue_labelled" && !trigger.label)
        throw new CadreError("bad_request", "an automation on issue_labelled names its label: --on label:<label>");
      if (trigger.kind === "event" && trigger.event !== "fire" && !repo.forge)
        throw new CadreError(
          "bad_request",
          `repo ${repo.name} is not on a forge, so it has no ${trigger.event} events: add it with 'cadre repo add <url> --forge <forge>', or use --schedule or --on fire`,
        );
      if (body.deliver === "pr" && !repo.forge)
        throw new CadreError(
          "bad_request",
          `repo ${repo.name} is not on a forge, so a run cannot open a pull request: use --deliver branch or --deliver none`,
        );
      let environmentId: string | null = null;
      if (body.environment) {
        const env = await requireEnvironment(ctx, principal, body.environment);
        await requireEnvironmentRunsOn(ctx, env, repo);
        environmentId = env.id;
      }
      if (await ctx.store.automations.find(body.name))
        throw new CadreError("conflict", `an automation named ${body.name} exists: pick another name`);
      const fireToken = `cadre_fire_${randomBytes(24).toString("base64url")}`;
      const id = await ctx.store.automations.create({
        name: body.name,
        repoId: repo.id,
        environmentId,
        prompt: body.prompt,
        mode: body.mode,
        deliver: body.deliver,
        trigger,
        fireTokenHash: hashToken(fireToken),
        scheduleFrom: automationNow(ctx.env).toISOString(),
        createdBy: principal.user,
      });
      return { ...(await automationToWire(ctx, await findAutomation(ctx, id))), fireToken };
    },

    async getAutomation({ params }) {
      return automationToWire(ctx, await findAutomation(ctx, params.id));
    },

    async pauseAutomation({ params, principal }) {
      const found = await findAutomation(ctx, params.id);
      await ctx.store.automations.pause(found.id, `paused by ${principal.user}`);
      return automationToWire(ctx, await findAutomation(ctx, found.id));
    },

    async resumeAutomation({ params }) {
      const found = await findAutomation(ctx, params.id);
      await ctx.store.automations.resume(found.id, automationNow(ctx.env).toISOString());
      return automationToWire(ctx, await findAutomation(ctx, found.id));
    },

    async deleteAutomation({ params }) {
      const found = await findAutomation(ctx, params.id);
      await ctx.store.automations.remove(found.id);
      return { ok: true as const };
    },
  };
}
