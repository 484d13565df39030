import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";

/** What the SDK hands a tool handler beside its arguments (progress token, notifications, abort signal). */
export type ToolContext = RequestHandlerExtra<ServerRequest, ServerNotification>;
