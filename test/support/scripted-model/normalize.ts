import { arr, contentText, obj, parseJsonOr, str } from "./json.ts";
import type { NormalizedMessage, NormalizedRequest, NormalizedToolCall, ScriptedApi } from "./types.ts";

function newMessage(role: NormalizedMessage["role"], text = ""): NormalizedMessage {
  return { role, text, toolCalls: [], toolResults: [] };
}

/** Appends to the last message when it has the same role, so one model reply stays one message. */
function lastOfRole(messages: NormalizedMessage[], role: NormalizedMessage["role"]): NormalizedMessage {
  const last = messages[messages.length - 1];
  if (last && last.role === role) return last;
  const created = newMessage(role);
  messages.push(created);
  return created;
}

function normalizeResponses(
  body: Record<string, unknown>,
): Omit<NormalizedRequest, "api" | "model" | "stream" | "tools" | "customTools" | "namespaces"> {
  const messages: NormalizedMessage[] = [];
  const systemParts: string[] = [];
  if (typeof body.instructions === "string") systemParts.push(body.instructions);
  const input = typeof body.input === "string" ? [{ role: "user", content: body.input }] : arr(body.input);
  for (const raw of input) {
    const item = obj(raw);
    const type = str(item.type) || "message";
    if (type === "message") {
      const role = str(item.role);
      const text = contentText(item.content);
      if (role === "system" || role === "developer") systemParts.push(text);
      else if (role === "assistant") messages.push(newMessage("assistant", text));
      else messages.push(newMessage("user", text));
    } else if (type === "function_call" || type === "custom_tool_call") {
      // Calls directly after the assistant's text are part of the same reply.
      const target = lastOfRole(messages, "assistant");
      const input = type === "function_call" ? parseJsonOr(str(item.arguments), str(item.arguments)) : str(item.input);
      const namespace = str(item.namespace);
      target.toolCalls.push({
        id: str(item.call_id),
        name: str(item.name),
        input,
        ...(namespace ? { namespace } : {}),
      });
    } else if (type === "function_call_output" || type === "custom_tool_call_output") {
      lastOfRole(messages, "tool").toolResults.push({ callId: str(item.call_id), output: contentText(item.output) });
    }
  }
  return { system: systemParts.join("\n"), messages };
}

function normalizeChat(
  body: Record<string, unknown>,
): Omit<NormalizedRequest, "api" | "model" | "stream" | "tools" | "customTools" | "namespaces"> {
  const messages: NormalizedMessage[] = [];
  const systemParts: string[] = [];
  for (const raw of arr(body.messages)) {
    const m = obj(raw);
    const role = str(m.role);
    if (role === "system" || role === "developer") systemParts.push(contentText(m.content));
    else if (role === "assistant") {
      const msg = newMessage("assistant", contentText(m.content));
      for (const rawCall of arr(m.tool_calls)) {
        const call = obj(rawCall);
        const fn = obj(call.function);
        msg.toolCalls.push({
          id: str(call.id),
          name: str(fn.name),
          input: parseJsonOr(str(fn.arguments), str(fn.arguments)),
        });
      }
      messages.push(msg);
    } else if (role === "tool") {
      lastOfRole(messages, "tool").toolResults.push({ callId: str(m.tool_call_id), output: contentText(m.content) });
    } else messages.push(newMessage("user", contentText(m.content)));
  }
  return { system: systemParts.join("\n"), messages };
}

function normalizeAnthropic(
  body: Record<string, unknown>,
): Omit<NormalizedRequest, "api" | "model" | "stream" | "tools" | "customTools" | "namespaces"> {
  const messages: NormalizedMessage[] = [];
  for (const raw of arr(body.messages)) {
    const m = obj(raw);
    const role = str(m.role);
    const blocks = typeof m.content === "string" ? [{ type: "text", text: m.content }] : arr(m.content);
    if (role === "assistant") {
      const msg = newMessage("assistant");
      for (const rawBlock of blocks) {
        const b = obj(rawBlock);
        if (b.type === "text") msg.text += str(b.text);
        else if (b.type === "tool_use") msg.toolCalls.push({ id: str(b.id), name: str(b.name), input: b.input });
      }
      messages.push(msg);
      continue;
    }
    for (const rawBlock of blocks) {
      const b = obj(rawBlock);
      if (b.type === "tool_result") {
        lastOfRole(messages, "tool").toolResults.push({ callId: str(b.tool_use_id), output: contentText(b.content) });
      } else if (b.type === "text") {
        const target = lastOfRole(messages, "user");
        target.text += str(b.text);
      }
    }
  }
  return { system: contentText(body.system), messages };
}

function toolNames(
  api: ScriptedApi,
  body: Record<string, unknown>,
): Pick<NormalizedRequest, "tools" | "customTools" | "namespaces"> {
  const tools: string[] = [];
  const customTools: string[] = [];
  const namespaces: Record<string, string[]> = {};
  for (const raw of arr(body.tools)) {
    const t = obj(raw);
    const name = api === "chat" ? str(obj(t.function).name) || str(t.name) : str(t.name);
    tools.push(name);
    if (api === "responses" && t.type === "custom") customTools.push(name);
    if (api === "responses" && t.type === "namespace")
      namespaces[name] = arr(t.tools).map((inner) => str(obj(inner).name));
  }
  return { tools, customTools, namespaces };
}

export function normalizeRequest(api: ScriptedApi, rawBody: unknown): NormalizedRequest {
  const body = obj(rawBody);
  const core =
    api === "responses" ? normalizeResponses(body) : api === "chat" ? normalizeChat(body) : normalizeAnthropic(body);
  return { api, model: str(body.model), stream: body.stream === true, ...toolNames(api, body), ...core };
}

/** All tool-call ids the assistant has made so far in this conversation. */
export function historyCallIds(req: NormalizedRequest): string[] {
  return req.messages.flatMap((m) => m.toolCalls.map((c: NormalizedToolCall) => c.id));
}

export function assistantReplies(req: NormalizedRequest): number {
  return req.messages.filter((m) => m.role === "assistant").length;
}

/** The most recent tool output in the request, handy for scripts that react to results. */
export function lastToolResult(req: NormalizedRequest): string | undefined {
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const results = req.messages[i]?.toolResults ?? [];
    const last = results[results.length - 1];
    if (last) return last.output;
  }
  return undefined;
}
