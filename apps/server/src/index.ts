export * from "./start-server.ts";
export * from "./cadre-home.ts";
export { createApp } from "./app.ts";
export type { RunnerApi, RunnerCallInput } from "./runner-api/runner-api.ts";
export type { RunnerPrincipal } from "./runner-api/runner-principal.ts";
