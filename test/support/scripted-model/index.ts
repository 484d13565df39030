export { startScriptedModel } from "./server.ts";
export type { ScriptedModel, ScriptedModelOptions } from "./server.ts";
export { lastToolResult, assistantReplies } from "./normalize.ts";
export { isErrorStep } from "./types.ts";
export type {
  ErrorStep,
  NormalizedMessage,
  NormalizedRequest,
  NormalizedToolCall,
  NormalizedToolResult,
  RecordedRequest,
  ReplyStep,
  Script,
  ScriptContext,
  ScriptFunction,
  ScriptedApi,
  ScriptedToolCall,
  Step,
  StepUsage,
} from "./types.ts";
