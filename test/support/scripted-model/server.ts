import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { anthropicStream } from "./anthropic-stream.ts";
import { chatStream } from "./chat-stream.ts";
import { errorBody } from "./error-body.ts";
import { obj, parseJsonOr } from "./json.ts";
import { normalizeRequest } from "./normalize.ts";
import { resolveReply } from "./resolved-reply.ts";
import { responsesStream } from "./responses-stream.ts";
import { ScriptRunner } from "./script-runner.ts";
import { isErrorStep } from "./types.ts";
import type { RecordedRequest, Script, ScriptedApi } from "./types.ts";

export interface ScriptedModelOptions {
  script?: Script;
  /** Listen port; default a random free one. */
  port?: number;
  /** Model ids listed by `GET /v1/models`. */
  models?: string[];
  /** Keep bodies and normalized views in `requests` (default true); turn off for long benchmarks to bound memory. */
  recordBodies?: boolean;
}

export interface ScriptedModel {
  /** Base URL ending in `/v1` (Anthropic clients should drop the `/v1`, or let the provider do it). */
  url: string;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  /** Replaces the script; lanes and served-error counts restart unless `resetLanes` is false. */
  setScript(script: Script, opts?: { resetLanes?: boolean }): void;
  close(): Promise<void>;
}

const ROUTES: Record<string, ScriptedApi> = {
  "/v1/responses": "responses",
  "/v1/chat/completions": "chat",
  "/v1/messages": "anthropic",
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startScriptedModel(opts: ScriptedModelOptions = {}): Promise<ScriptedModel> {
  const runner = new ScriptRunner(opts.script ?? []);
  const requests: RecordedRequest[] = [];
  const keepBodies = opts.recordBodies ?? true;
  let counter = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const raw = req.method === "POST" ? await readBody(req) : "";
    const body = raw ? parseJsonOr(raw, raw) : null;
    const record: RecordedRequest = {
      receivedAt,
      method: req.method ?? "GET",
      path,
      headers: headersOf(req),
      body: keepBodies ? body : null,
      api: null,
      normalized: null,
      lane: null,
      step: null,
      reply: null,
    };
    requests.push(record);

    if (req.method === "GET" && path === "/v1/models") {
      const ids = opts.models ?? ["scripted-model"];
      sendJson(res, 200, {
        object: "list",
        data: ids.map((id) => ({ id, object: "model", created: 0, owned_by: "scripted" })),
      });
      return;
    }
    const api = req.method === "POST" ? ROUTES[path] : undefined;
    if (!api) {
      sendJson(res, 404, {
        error: { message: `scripted model: no route ${req.method} ${path}`, type: "invalid_request_error", code: null },
      });
      return;
    }
    const normalized = normalizeRequest(api, body);
    const decision = runner.decide(normalized, raw);
    Object.assign(record, {
      api,
      normalized: keepBodies ? normalized : null,
      lane: decision.lane,
      step: decision.step,
      reply: decision.reply,
    });
    const step = decision.reply;
    if (step.delayMs) await sleep(step.delayMs);
    if ("until" in step && step.until) await step.until;

    if (isErrorStep(step)) {
      sendJson(res, step.error.status, errorBody(step.error, api, normalized.model), step.error.headers);
      return;
    }
    if (!normalized.stream) {
      sendJson(res, 400, {
        error: { message: "scripted model only serves stream: true", type: "invalid_request_error", code: null },
      });
      return;
    }
    const reply = resolveReply(step, normalized, {
      lane: decision.lane,
      firstCallNumber: decision.firstCallNumber,
      requestChars: raw.length,
    });
    const id = `scripted${counter++}`;
    const includeUsage = obj(obj(body).stream_options).include_usage === true;
    const sse =
      api === "responses"
        ? responsesStream(reply, `resp_${id}`)
        : api === "chat"
          ? chatStream(reply, `chatcmpl-${id}`, includeUsage)
          : anthropicStream(reply, `msg_${id}`);
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.end(sse);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, {
          error: { message: `scripted model crashed: ${String(err)}`, type: "server_error", code: null },
        });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    setScript: (script, o) => runner.setScript(script, o?.resetLanes ?? true),
    close: () =>
      new Promise<void>((resolve) => {
        // Keep-alive sockets from SDK clients would otherwise hold close() open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
