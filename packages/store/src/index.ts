export * from "./sql.ts";
export * from "./store.ts";
export * from "./run-input.ts";
export * from "./new-id.ts";
export * from "./migrate.ts";
export { AttemptQueries, type AttemptRecord } from "./attempt-queries.ts";
export { EventQueries, type AppendFence } from "./event-queries.ts";
export { RunnerTokenQueries, type RunnerTokenIdentity } from "./runner-token-queries.ts";
export type { EnvironmentRecord } from "./environment-queries.ts";
export type { NewTask } from "./task-queries.ts";
export { openPgliteDatabase } from "./pglite-database.ts";
export { openPostgresDatabase } from "./postgres-database.ts";
export { UserQueries, hashToken, type UserIdentity } from "./user-queries.ts";
export type { QueueLimits } from "./queue-queries.ts";
export { isTransient } from "./transient-errors.ts";
export type { ForgeRecord, NewForge } from "./forge-queries.ts";
export { ForgeWorkQueries, MAX_FORGE_ATTEMPTS, type DeliveryRecord, type JobRecord } from "./forge-work-queries.ts";
export { ForgeLinkQueries, type ForgeLink, type FinishedTurn } from "./forge-link-queries.ts";
export { MessageQueries } from "./message-queries.ts";
export type { RepoForgeLink } from "./repo-queries.ts";
export { TaskQueries } from "./task-queries.ts";
export {
  AutomationQueries,
  AUTOMATION_FAILURE_LIMIT,
  type AutomationRecord,
  type NewAutomation,
  type EndedRun,
} from "./automation-queries.ts";
