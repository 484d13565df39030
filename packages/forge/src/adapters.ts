import { CadreError } from "@cadre/protocol";
import type { ForgeAdapter } from "./forge-client.ts";
import { githubAdapter } from "./github/github-adapter.ts";
import { giteaAdapter } from "./gitea/gitea-adapter.ts";
import { gitlabAdapter } from "./gitlab/gitlab-adapter.ts";

/** Every forge kind Cadre speaks; a new forge is one more adapter here (see ARCHITECTURE.md). */
const ADAPTERS: Record<string, ForgeAdapter> = { github: githubAdapter, gitlab: gitlabAdapter, gitea: giteaAdapter };

export function forgeAdapter(kind: string): ForgeAdapter {
  const adapter = ADAPTERS[kind];
  if (!adapter)
    throw new CadreError("bad_request", `unknown forge kind '${kind}': use one of ${Object.keys(ADAPTERS).join(", ")}`);
  return adapter;
}

export function forgeKinds(): string[] {
  return Object.keys(ADAPTERS);
}
