import type { Store } from "@cadre/store";
import type { EventBus } from "./event-bus.ts";
import type { ForgeHub } from "./forge/forge-hub.ts";

/** What request handlers share: the store, the Cadre home, the event bus and the secret key. */
export interface ServerContext {
  store: Store;
  home: string;
  bus: EventBus;
  secretKey: Buffer;
  version: string;
  /** Environment variables providers read (OPENAI_API_KEY, ...). */
  env: NodeJS.ProcessEnv;
  /** Connected forges (GitHub …): their clients, git credentials and the URL webhooks reach. */
  forges: ForgeHub;
}
