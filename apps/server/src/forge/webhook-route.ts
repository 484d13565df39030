import type { Env, Hono } from "hono";
import { CadreError, ForgeName, routes } from "@cadre/protocol";
import type { ServerContext } from "../server-context.ts";

/** The payload of a JSON delivery, or of a form-encoded one (GitHub's `payload=` content type). */
function payloadOf(raw: string, contentType: string): unknown {
  const text = /application\/x-www-form-urlencoded/i.test(contentType)
    ? (new URLSearchParams(raw).get("payload") ?? "")
    : raw;
  try {
    return JSON.parse(text);
  } catch {
    throw new CadreError(
      "bad_request",
      "the delivery's body is not JSON: set the webhook's content type to application/json",
    );
  }
}

/**
 * `POST /api/v1/forges/:name/webhook`: authenticated by the forge's signature over the raw body
 * (constant-time compare; a bad or missing one is 401 and nothing is stored), then stored by its
 * delivery id before anything else happens. Work starts from the store, so a crash after the
 * answer loses nothing and a redelivery is answered 202 and does nothing twice.
 */
export function registerForgeWebhook<E extends Env>(app: Hono<E>, ctx: ServerContext): void {
  app.post(`/api/v1${routes.forgeWebhook.path}`, async (c) => {
    const raw = await c.req.text();
    const name = ForgeName.safeParse(c.req.param("name"));
    const forge = name.success ? await ctx.store.forges.find(name.data) : null;
    if (!forge) throw new CadreError("not_found", `no forge named ${c.req.param("name")} on this server`);
    const { adapter, webhookSecret } = ctx.forges.connect(forge);
    const headers: Record<string, string | undefined> = {};
    c.req.raw.headers.forEach((value, key) => (headers[key.toLowerCase()] = value));
    const verified = await adapter.verifyWebhook(headers, raw, webhookSecret());
    if (!verified.ok)
      throw new CadreError(
        "unauthorized",
        `webhook refused: ${verified.reason}. The webhook's secret must be the one given to 'cadre forge add ${forge.name} --webhook-secret-env'`,
      );
    const payload = payloadOf(raw, headers["content-type"] ?? "");
    const fresh = await ctx.store.forgeWork.receive({
      forgeId: forge.id,
      deliveryId: verified.deliveryId,
      event: verified.event,
      payload,
    });
    return c.json(
      routes.forgeWebhook.response.parse({ ok: true, delivery: verified.deliveryId, duplicate: !fresh }),
      202,
    );
  });
}
