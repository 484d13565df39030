export * from "./cadre-client.ts";
export * from "./client-error.ts";
export * from "./sse-stream.ts";
export * from "./streams.ts";
