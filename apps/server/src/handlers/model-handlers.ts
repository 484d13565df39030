import { CadreError, type ModelList } from "@cadre/protocol";
import {
  checkModelConfigured,
  configuredModels,
  discoverModels,
  loadCadreConfig,
  offeredModels,
  splitModel,
} from "@cadre/config";
import type { Handlers } from "../route-registry.ts";
import type { ServerContext } from "../server-context.ts";

const OFFERED_TTL_MS = 60_000;
/** What each provider said it offers, briefly remembered so creating tasks does not ask every time. */
const offeredCache = new Map<string, { at: number; ids: Promise<string[] | null> }>();

function offeredBy(
  ctx: ServerContext,
  config: Parameters<typeof offeredModels>[0],
  provider: string,
): Promise<string[] | null> {
  const key = `${ctx.home}\0${provider}`;
  const hit = offeredCache.get(key);
  if (hit && Date.now() - hit.at < OFFERED_TTL_MS) return hit.ids;
  const ids = offeredModels(config, provider, ctx.env);
  offeredCache.set(key, { at: Date.now(), ids });
  return ids;
}

function listing(list: ModelList): string {
  const ready = list.items.filter((m) => m.ready).map((m) => m.name);
  return ready.length
    ? `choose one of the models you can use: ${ready.slice(0, 8).join(", ")}${ready.length > 8 ? ", …" : ""}`
    : "configure a provider that offers it (README: Configuring a model)";
}

/**
 * The model a new task runs on, checked before anything is provisioned: the provider must be
 * configured, and a model the configuration does not name must be one its provider offers.
 */
export async function chooseModel(ctx: ServerContext, requested: string | undefined): Promise<string> {
  const { models: config } = await loadCadreConfig(ctx.home);
  const check = checkModelConfigured(config, requested, ctx.env);
  if (!check.ok) throw new CadreError("not_configured", check.message);
  const list = configuredModels(config, ctx.env);
  if (list.items.some((m) => m.name === check.model)) return check.model;
  const parts = splitModel(check.model);
  const offered = parts ? await offeredBy(ctx, config, parts.provider) : null;
  // A provider that cannot list its models gets the benefit of the doubt.
  if (offered === null || !parts || offered.includes(parts.id)) return check.model;
  throw new CadreError(
    "validation_failed",
    `unknown model '${check.model}': provider ${parts.provider} does not offer it; ${listing(list)}`,
    undefined,
    "cadre models --all",
  );
}

export function modelHandlers(ctx: ServerContext): Pick<Handlers, "listModels"> {
  return {
    async listModels({ query }) {
      const { models: config } = await loadCadreConfig(ctx.home);
      return query.discover
        ? discoverModels(config, ctx.env, (provider) => offeredBy(ctx, config, provider))
        : configuredModels(config, ctx.env);
    },
  };
}
