export * from "./forge-model.ts";
export * from "./forge-client.ts";
export * from "./forge-error.ts";
export * from "./adapters.ts";
export * from "./mention.ts";
export * from "./git-credentials.ts";
export * from "./stored-forge.ts";
