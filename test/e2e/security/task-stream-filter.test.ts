import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskWithAttempts } from "@cadre/protocol";
import { startAccessWorld, type AccessWorld } from "./access-world.ts";

/** An open /tasks/stream: its text so far, and a wait for some text to arrive. */
function openTaskStream(url: string, token: string) {
  const ac = new AbortController();
  let text = "";
  const waiting = new Set<() => void>();
  void (async () => {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, signal: ac.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      text += decoder.decode(value, { stream: true });
      for (const check of [...waiting]) check();
    }
  })().catch(() => undefined);
  return {
    text: () => text,
    until: (needle: string) =>
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (!text.includes(needle)) return;
          waiting.delete(check);
          resolve();
        };
        waiting.add(check);
        check();
      }),
    close: () => ac.abort(),
  };
}

/** One read of a changed task is shared by every /tasks/stream connection of the instance; each still filters by its grants. */
describe("security: /tasks/stream connections sharing one read per change", () => {
  let world: AccessWorld;

  beforeAll(async () => {
    world = await startAccessWorld();
    await world.addRepo("calc");
    await world.addRepo("notes");
  });
  afterAll(async () => world?.stop());

  it("hands each connection only the tasks of repositories it may see", async () => {
    const ann = await world.addUser("ann", "member", ["calc"]);
    const bob = await world.addUser("bob", "member", ["notes"]);
    const url = `${world.server.url}/api/v1/tasks/stream`;
    const annStream = openTaskStream(url, ann);
    const bobStream = openTaskStream(url, bob);
    const create = async (repo: string): Promise<string> =>
      (
        (await world.call(world.server.token, "POST", "/tasks", { prompt: `x in ${repo}`, repo }))
          .body as TaskWithAttempts
      ).id;
    // Both connections are subscribed once each has been handed a task of its own.
    await annStream.until(`"id":"${await create("calc")}"`);
    await bobStream.until(`"id":"${await create("notes")}"`);

    const hidden = await create("notes");
    await bobStream.until(`"id":"${hidden}"`);
    // Bob was handed the notes task, so ann's connection was too, before the next change: a calc
    // task ann does see, after which the notes task can no longer be on its way.
    const seen = await create("calc");
    await annStream.until(`"id":"${seen}"`);
    expect(annStream.text()).not.toContain(hidden);
    expect(bobStream.text()).not.toContain(seen);
    annStream.close();
    bobStream.close();
  });
});
