import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskWithAttempts } from "@cadre/protocol";
import { startAccessWorld, type AccessWorld } from "./access-world.ts";

/** Reads an event stream until the server ends it; gives up (and fails) after `limitMs`. */
async function readUntilEnd(url: string, token: string, limitMs = 120_000): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    headers: { Authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(limitMs),
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { status: response.status, text };
    text += decoder.decode(value, { stream: true });
  }
}

/**
 * Revoking a token or a grant applies at once to every request, and so it must to the event
 * streams already open: they were checked once, when they started, and then ran forever.
 */
describe("security: open event streams after a revocation", () => {
  let world: AccessWorld;
  let task: TaskWithAttempts;

  beforeAll(async () => {
    world = await startAccessWorld();
    await world.addRepo("calc");
    const created = await world.call(world.server.token, "POST", "/tasks", { prompt: "x", repo: "calc" });
    task = created.body as TaskWithAttempts;
  });
  afterAll(async () => world?.stop());

  it("an attempt's event stream ends once the reader's grant is revoked", async () => {
    const token = await world.addUser("gina", "member", ["calc"]);
    const attemptId = task.attempts[0]?.id as string;
    const reading = readUntilEnd(`${world.server.url}/api/v1/attempts/${attemptId}/events/stream`, token);
    // the stream is open and serving before the grant goes
    const first = await world.call(token, "GET", `/attempts/${attemptId}`);
    expect(first.status).toBe(200);
    const revoked = await world.call(world.server.token, "DELETE", "/users/gina/grants/calc");
    expect(revoked.status).toBe(200);
    const { status, text } = await reading;
    expect(status).toBe(200);
    expect(text).toMatch(/event: error\ndata: attempt .* not found/);
  });

  it("the task stream ends once the reader's token is revoked", async () => {
    await world.addUser("toby", "member", ["calc"]);
    const second = await world.call(world.server.token, "POST", "/users/toby/tokens", { label: "laptop" });
    const { token, info } = second.body as { token: string; info: { id: string } };
    const reading = readUntilEnd(`${world.server.url}/api/v1/tasks/stream`, token);
    expect((await world.call(token, "GET", "/me")).status).toBe(200);
    expect((await world.call(world.server.token, "POST", `/tokens/${info.id}/revoke`, {})).status).toBe(200);
    const { text } = await reading;
    expect(text).toMatch(/event: error\ndata: the token was refused/);
  });
});
