export * from "./cadre-client.ts";
export * from "./client-error.ts";
export * from "./sse-stream.ts";
export * from "./streams.ts";
export * from "./attempt-diff.ts";
export * from "./chosen-attempt.ts";
export * from "./pending-input.ts";
export * from "./server-url.ts";
