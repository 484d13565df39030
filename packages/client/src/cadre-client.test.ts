import { afterEach, describe, expect, it } from "vitest";
import { CadreClient } from "./cadre-client.ts";
import { CadreApiError } from "./client-error.ts";
import { closedPortUrl, startTestServer, type TestServer } from "./testing/test-server.ts";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function answering(status: number, body: string, type = "application/json"): Promise<CadreClient> {
  server = await startTestServer((_request, response) => {
    response.writeHead(status, { "Content-Type": type });
    response.end(body);
  });
  return new CadreClient({ baseUrl: `${server.url}/`, token: "secret-token" });
}

async function failure(promise: Promise<unknown>): Promise<CadreApiError> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof CadreApiError)) throw new Error(`expected a CadreApiError, got ${String(error)}`);
  return error;
}

describe("CadreClient.call", () => {
  it("sends the route's method and path with the bearer token and parses the response", async () => {
    const client = await answering(200, JSON.stringify({ protocol: "1", server: "0.0.0" }));
    expect(await client.call("version")).toEqual({ protocol: "1", server: "0.0.0" });
    expect(server?.requests[0]?.method).toBe("GET");
    expect(server?.requests[0]?.url).toBe("/api/v1/version");
    expect(server?.requests[0]?.headers.authorization).toBe("Bearer secret-token");
  });

  it("decodes an error envelope into its code, message, details, command and status", async () => {
    const envelope = {
      error: { code: "conflict", message: "the task is running", details: { id: "t1" }, command: "cadre cancel t1" },
    };
    const error = await failure(
      (await answering(409, JSON.stringify(envelope))).call("getTask", { params: { id: "t1" } }),
    );
    expect(error).toMatchObject({
      code: "conflict",
      message: "the task is running",
      details: { id: "t1" },
      command: "cadre cancel t1",
      status: 409,
    });
  });

  it("names the status when the error body is not an envelope", async () => {
    const error = await failure((await answering(502, JSON.stringify({ oops: true }))).call("version"));
    expect(error).toMatchObject({ code: "internal", message: "the server answered 502", status: 502 });
  });

  it("asks whether the URL is a Cadre server when the body is not JSON", async () => {
    const error = await failure((await answering(200, "<html>", "text/html")).call("version"));
    expect(error.code).toBe("internal");
    expect(error.message).toContain("is not JSON: is http://127.0.0.1:");
  });

  it("says how to start the server when nothing listens", async () => {
    const client = new CadreClient({ baseUrl: await closedPortUrl() });
    const error = await failure(client.call("version"));
    expect(error.code).toBe("unavailable");
    expect(error.status).toBeNull();
    expect(error.message).toContain("start it with 'cadre serve'");
  });
});
