import { timingSafeEqual } from "node:crypto";
import type { Env, Hono } from "hono";
import { CadreError, FireAutomation, Id, routes } from "@cadre/protocol";
import { hashToken } from "@cadre/store";
import type { ServerContext } from "../server-context.ts";
import { describeZodError } from "../zod-message.ts";
import { startRun } from "./start-run.ts";

const REFUSED =
  "the fire token was refused: send the token 'cadre automation add' printed as 'Authorization: Bearer <token>'";

function sameHash(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a, "hex"), Buffer.from(b, "hex")];
  return x.length === y.length && timingSafeEqual(x, y);
}

function parseBody(raw: string): { text?: string | undefined } {
  let value: unknown = {};
  if (raw.trim() !== "") {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new CadreError(
        "bad_request",
        'the body is not JSON: send {"text": "..."} with Content-Type: application/json',
      );
    }
  }
  const parsed = FireAutomation.safeParse(value);
  if (!parsed.success) throw new CadreError("validation_failed", describeZodError(parsed.error, "body"));
  return parsed.data;
}

/**
 * `POST /api/v1/automations/:id/fire`: authenticated by the automation's own token (its SHA-256
 * compared in constant time), which reaches this route of this automation and nothing else. An
 * unknown automation and a wrong token get the same 401, so the route tells nothing of which ids exist.
 */
export function registerFireRoute<E extends Env>(app: Hono<E>, ctx: ServerContext): void {
  app.post(`/api/v1${routes.fireAutomation.path}`, async (c) => {
    const raw = await c.req.text();
    const match = /^Bearer\s+(\S{1,200})$/.exec(c.req.header("Authorization") ?? "");
    const id = Id.safeParse(c.req.param("id"));
    const automation = id.success ? await ctx.store.automations.find(id.data) : null;
    if (
      !match ||
      !automation ||
      automation.id !== id.data ||
      !sameHash(hashToken(match[1] as string), automation.fireTokenHash)
    )
      throw new CadreError("unauthorized", REFUSED);
    const body = parseBody(raw);
    if (automation.state !== "active")
      throw new CadreError(
        "conflict",
        `automation ${automation.name} is paused (${automation.pausedReason ?? "paused"}): resume it with 'cadre automation resume ${automation.name}'`,
      );
    const text = body.text ?? "";
    const runId = await startRun(ctx, automation, {
      trigger: "fire",
      detail: text.trim() ? `fired: ${text.trim().split("\n")[0]?.slice(0, 120)}` : "fired",
      text,
      slotKey: null,
    });
    const run = runId ? await ctx.store.automations.run(runId) : null;
    if (!run) throw new CadreError("internal", "the run was not recorded");
    return c.json(routes.fireAutomation.response.parse({ ok: true, run }), 202);
  });
}
