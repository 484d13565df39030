import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorOf, send, startAccessWorld, type AccessWorld } from "./access-world.ts";

/** Hole 12b: `GET /%E0%A4%A` answered 500; a malformed percent-escape anywhere in a URL is the client's error. */
describe("security: malformed percent-escapes", () => {
  let world: AccessWorld;
  let attemptId: string;

  beforeAll(async () => {
    world = await startAccessWorld();
    await world.addRepo("calc");
    const task = await world.call(world.server.token, "POST", "/tasks", { prompt: "x", repo: "calc" });
    attemptId = (task.body as { attempts: { id: string }[] }).attempts[0]?.id as string;
  });
  afterAll(async () => world?.stop());

  const BAD = ["%E0%A4%A", "%", "%ZZ", "%C0%AF", "%ED%A0%80", "%FF", "%E0%A4"];

  it("every place a path or query is decoded answers 400 naming the problem", async () => {
    const requests: { method: string; path: string }[] = [];
    for (const bad of BAD) {
      requests.push(
        // the web app's files and its client-side routes
        { method: "GET", path: `//${bad}` },
        { method: "GET", path: `//assets/${bad}.js` },
        { method: "GET", path: `//tasks/${bad}` },
        // JSON routes: path parameters, query names and values
        { method: "GET", path: `/repos/${bad}` },
        { method: "GET", path: `/environments/${bad}/setup-log` },
        { method: "GET", path: `/tasks?q=${bad}` },
        { method: "GET", path: `/tasks?${bad}=1` },
        { method: "GET", path: `/attempts/${attemptId}/diff?path=${bad}` },
        { method: "GET", path: `/attempts/${attemptId}/events?after=${bad}` },
        { method: "DELETE", path: `/users/admin/grants/${bad}` },
        { method: "GET", path: `/version?x=${bad}` },
        { method: "GET", path: `/no-such-route/${bad}` },
        // event streams
        { method: "GET", path: `/attempts/${attemptId}/events/stream?after=${bad}` },
        { method: "GET", path: `/attempts/${bad}/events/stream` },
        { method: "GET", path: `/tasks/stream?x=${bad}` },
      );
    }
    const wrong: string[] = [];
    for (const request of requests) {
      const answer = await send(world.server, world.server.token, request);
      const { code, message } = errorOf(answer);
      if (answer.status !== 400 || code !== "bad_request" || !/percent-escape/.test(message))
        wrong.push(`${request.method} ${request.path}: ${answer.status} ${answer.text.slice(0, 200)}`);
    }
    expect(wrong).toEqual([]);
    // without a token it is refused all the same, never a 5xx
    for (const bad of BAD) {
      const answer = await send(world.server, null, { method: "GET", path: `/tasks?q=${bad}` });
      expect(answer.status).toBe(400);
    }
    expect(world.server.child.exitCode).toBeNull();
  });

  it("the message says what to do", async () => {
    const answer = await send(world.server, null, { method: "GET", path: "//%E0%A4%A" });
    expect(answer.status).toBe(400);
    expect(errorOf(answer).message).toMatch(/'%E0%A4%A'.*%25/);
  });

  it("a file:// origin with a malformed escape is refused, not a 500", async () => {
    for (const bad of BAD) {
      const answer = await world.call(world.server.token, "POST", "/repos", {
        origin: `file:///tmp/${bad}`,
        name: "x",
      });
      expect(answer.status, answer.text).toBe(400);
    }
  });

  it("well-formed escapes still work", async () => {
    const answer = await world.call(world.server.token, "GET", `/tasks?q=${encodeURIComponent("é x")}`);
    expect(answer.status).toBe(200);
    const repo = await world.call(world.server.token, "GET", "/repos/%63alc");
    expect(repo.status, repo.text).toBe(200);
  });
});
