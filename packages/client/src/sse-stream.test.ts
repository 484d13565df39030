import { afterEach, describe, expect, it } from "vitest";
import { CadreClient } from "./cadre-client.ts";
import { CadreApiError } from "./client-error.ts";
import { sseMessages } from "./sse-stream.ts";
import { startTestServer, type TestServer } from "./testing/test-server.ts";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function firstError(client: CadreClient): Promise<CadreApiError> {
  try {
    for await (const message of sseMessages(client, client.url("/tasks/stream"), { reconnect: false }))
      throw new Error(`expected an error, got the message ${message.data}`);
  } catch (error) {
    if (error instanceof CadreApiError) return error;
    throw error;
  }
  throw new Error("expected an error, the stream ended");
}

describe("sseMessages", () => {
  it("decodes a refused stream's error envelope like a plain call's", async () => {
    server = await startTestServer((_request, response) => {
      response.writeHead(403, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ error: { code: "forbidden", message: "viewers may not stream", command: "x" } }));
    });
    const error = await firstError(new CadreClient({ baseUrl: server.url }));
    expect(error).toMatchObject({ code: "forbidden", message: "viewers may not stream", command: "x", status: 403 });
  });

  it("names the status of a refusal without an envelope", async () => {
    server = await startTestServer((_request, response) => {
      response.writeHead(401, { "Content-Type": "text/plain" });
      response.end("no");
    });
    const error = await firstError(new CadreClient({ baseUrl: server.url }));
    expect(error).toMatchObject({ code: "unauthorized", message: "event stream failed with 401", status: 401 });
  });

  it("resumes after a dropped connection from the last id it saw, with no gap and no repeat", async () => {
    server = await startTestServer((request, response) => {
      response.writeHead(200, { "Content-Type": "text/event-stream" });
      const after = Number(request.headers["last-event-id"] ?? "0");
      // Each connection sends two events after the client's resume point, then drops.
      response.end(`id: ${after + 1}\ndata: e${after + 1}\n\nid: ${after + 2}\ndata: e${after + 2}\n\n`);
    });
    const client = new CadreClient({ baseUrl: server.url });
    const seen: string[] = [];
    const controller = new AbortController();
    for await (const message of sseMessages(client, client.url("/tasks/stream"), {
      lastEventId: "10",
      signal: controller.signal,
    })) {
      seen.push(message.data);
      if (seen.length === 6) controller.abort();
    }
    expect(seen).toEqual(["e11", "e12", "e13", "e14", "e15", "e16"]);
    expect(server.requests.slice(0, 3).map((request) => request.headers["last-event-id"])).toEqual(["10", "12", "14"]);
  });
});
