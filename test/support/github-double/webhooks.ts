import { createHmac, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { deepMerge, type Renderer } from "./objects.ts";

type Json = Record<string, unknown>;

interface ExampleSet {
  name: string;
  examples: Json[];
}

const require = createRequire(import.meta.url);
let examples: ExampleSet[] | null = null;

/** A real example payload from `@octokit/webhooks-examples` for the event and action. */
export function examplePayload(event: string, action?: string): Json {
  examples ??= require("@octokit/webhooks-examples/api.github.com/index.json") as ExampleSet[];
  const set = examples.find((e) => e.name === event);
  if (!set) throw new Error(`@octokit/webhooks-examples has no ${event} event`);
  const found = set.examples.find((e) => action === undefined || e.action === action) ?? set.examples[0];
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${event} example`);
  return structuredClone(found);
}

/** `X-Hub-Signature-256` as GitHub computes it: HMAC-SHA256 of the raw body with the hook's secret, hex. */
export function sign(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export interface Delivery {
  id: string;
  event: string;
  action: string | null;
  url: string;
  body: string;
  headers: Record<string, string>;
  status: number | null;
  response: string;
  redelivery: boolean;
}

export interface WebhookTarget {
  url: string;
  secret: string;
  hookId: number;
  /** "repository" for a repository hook, "integration" for the app's hook. */
  targetType: "repository" | "integration";
  targetId: number;
}

/** Builds, signs and sends webhook deliveries, and keeps every one so tests can redeliver them. */
export class WebhookSender {
  readonly deliveries: Delivery[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();

  /** The hook's URL now (a redelivery goes where the hook points today). */
  currentUrl: (hookId: number) => string | undefined = () => undefined;

  constructor(private readonly renderer: Renderer) {}

  /** An example payload of `event`/`action` with the double's own objects laid over it. */
  payload(event: string, action: string | undefined, overrides: Json): Json {
    const base = this.renderer.localize(examplePayload(event, action));
    const out: Json = { ...base };
    for (const [key, value] of Object.entries(overrides)) {
      const template = base[key];
      out[key] =
        value && typeof value === "object" && !Array.isArray(value) && template && typeof template === "object"
          ? deepMerge(template, value as Json)
          : value;
    }
    if (action !== undefined) out.action = action;
    if (!("installation" in overrides)) delete out.installation;
    return out;
  }

  private build(event: string, payload: Json, target: WebhookTarget, id: string): Delivery {
    const body = JSON.stringify(payload);
    return {
      id,
      event,
      action: typeof payload.action === "string" ? payload.action : null,
      url: target.url,
      body,
      headers: {
        "content-type": "application/json",
        "user-agent": "GitHub-Hookshot/044aadd",
        "x-github-event": event,
        "x-github-delivery": id,
        "x-github-hook-id": String(target.hookId),
        "x-github-hook-installation-target-type": target.targetType,
        "x-github-hook-installation-target-id": String(target.targetId),
        "x-hub-signature": `sha1=${createHmac("sha1", target.secret).update(body).digest("hex")}`,
        "x-hub-signature-256": sign(target.secret, body),
      },
      status: null,
      response: "",
      redelivery: false,
    };
  }

  /** Sends one delivery to each target (each hook's delivery has its own GUID); resolves when all have answered. */
  async send(event: string, payload: Json, targets: WebhookTarget[]): Promise<Delivery[]> {
    return Promise.all(targets.map((target) => this.post(this.build(event, payload, target, randomUUID()))));
  }

  /** Sends in the background, as GitHub does after answering the API call that caused the event. */
  sendLater(event: string, payload: Json, targets: WebhookTarget[]): void {
    if (targets.length === 0) return;
    const sent = this.send(event, payload, targets).catch(() => undefined);
    this.inFlight.add(sent);
    void sent.finally(() => this.inFlight.delete(sent));
  }

  /** Sends a stored delivery again with the same GUID and body, as "Redeliver" does. */
  redeliver(id: string): Promise<Delivery> {
    const original = this.deliveries.find((d) => d.id === id);
    if (!original) throw new Error(`no delivery ${id}`);
    const url = this.currentUrl(Number(original.headers["x-github-hook-id"])) ?? original.url;
    return this.post({ ...original, url, status: null, response: "", redelivery: true });
  }

  /**
   * A delivery exactly like a real one but signed with the wrong secret, or with `signature` as
   * its X-Hub-Signature-256 header ("" leaves the header out).
   */
  sendForged(event: string, payload: Json, target: WebhookTarget, signature?: string): Promise<Delivery> {
    const delivery = this.build(event, payload, { ...target, secret: "not-the-secret" }, randomUUID());
    if (signature === "") delete delivery.headers["x-hub-signature-256"];
    else if (signature !== undefined) delivery.headers["x-hub-signature-256"] = signature;
    return this.post(delivery);
  }

  /** Waits until every background delivery has been answered. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async post(delivery: Delivery): Promise<Delivery> {
    const headers = { ...delivery.headers, "x-github-delivery": delivery.id };
    try {
      const res = await fetch(delivery.url, { method: "POST", headers, body: delivery.body });
      delivery.status = res.status;
      delivery.response = await res.text();
    } catch (error) {
      delivery.status = 0;
      delivery.response = (error as Error).message;
    }
    this.deliveries.push(delivery);
    return delivery;
  }
}
