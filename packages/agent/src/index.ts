export * from "./model-client.ts";
export type * from "./agent-sandbox.ts";
export * from "./apply-patch/index.ts";
export * from "./tools/index.ts";
export * from "./instructions/index.ts";
export * from "./loop/index.ts";
export { toWorkspacePath, WORKSPACE_ROOT } from "./workspace-path.ts";
export type { WorkspacePathResult } from "./workspace-path.ts";
export * from "./providers/index.ts";
