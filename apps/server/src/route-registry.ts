import type { Context, Hono } from "hono";
import { z } from "zod";
import { CadreError, routes, type JsonRouteName, type RouteDef, type Routes } from "@cadre/protocol";
import { describeZodError, type InputPart } from "./zod-message.ts";
import type { Principal, RequestVariables } from "./principal.ts";
import type { Guards } from "./route-guards.ts";

export interface HandlerInput<R extends RouteDef> {
  params: z.output<R["params"]>;
  query: z.output<R["query"]>;
  body: z.output<R["body"]>;
  principal: Principal;
}

export type Handlers = {
  [K in JsonRouteName]: (input: HandlerInput<Routes[K]>) => Promise<z.input<Routes[K]["response"]>>;
};

export const MAX_BODY_BYTES = 1024 * 1024;

/** Multi-valued query parameters become arrays; single ones strings. */
export function queryObject(c: Context): Record<string, string | string[]> {
  const all = c.req.queries();
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(all)) out[k] = v.length === 1 ? (v[0] as string) : v;
  return out;
}

export async function readBody(c: Context, schema: z.ZodType, limit = MAX_BODY_BYTES): Promise<unknown> {
  // Read even where no body is expected: a response sent before the body is consumed resets the connection.
  const text = await c.req.text();
  if (Buffer.byteLength(text) > limit) throw new CadreError("payload_too_large", `request body is over ${limit} bytes`);
  if (schema instanceof z.ZodUndefined) {
    if (text.trim() !== "")
      throw new CadreError("bad_request", `${c.req.method} ${c.req.path} takes no request body: send none`);
    return undefined;
  }
  if (text.trim() === "") return schema.safeParse(undefined).success ? undefined : {};
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CadreError(
      "bad_request",
      `request body is not valid JSON (${(e as Error).message}): send a JSON object with Content-Type: application/json`,
    );
  }
}

export function parse<S extends z.ZodType>(schema: S, value: unknown, where: InputPart): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new CadreError(
      "validation_failed",
      describeZodError(r.error, where),
      r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    );
  return r.data;
}

/** Registers every JSON route of the protocol's table, validating params, query and body with its schemas, behind its access guard. */
export function registerRoutes(app: Hono<{ Variables: RequestVariables }>, handlers: Handlers, guards: Guards): void {
  for (const [name, def] of Object.entries(routes) as [keyof Routes, RouteDef][]) {
    // Forge webhooks and automation fire calls have their own authentication (registered apart).
    if (def.sse || def.webhook || def.fire) continue;
    const handler = handlers[name as JsonRouteName] as (input: HandlerInput<RouteDef>) => Promise<unknown>;
    const guard = guards[name as JsonRouteName] as unknown as {
      before?: (i: HandlerInput<RouteDef>) => Promise<void>;
      after?: (i: HandlerInput<RouteDef>, out: unknown) => Promise<unknown>;
    };
    const path = `/api/v1${def.path}`;
    const method = def.method.toLowerCase() as "get" | "post" | "patch" | "delete";
    app[method](path, async (c) => {
      const raw = await readBody(c, def.body);
      const params = parse(def.params, c.req.param(), "path");
      const query = parse(def.query, queryObject(c), "query");
      const body = parse(def.body, raw, "body");
      const input = { params, query, body, principal: c.get("principal") };
      await guard.before?.(input);
      let out = await handler(input);
      if (guard.after) out = await guard.after(input, out);
      return c.json(out as object, def.method === "POST" && name.startsWith("create") ? 201 : 200);
    });
  }
}
