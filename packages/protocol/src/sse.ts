/** Name of the SSE event that carries a stored Event; its SSE id is the event's seq. */
export const SSE_EVENT = "event";
/** SSE event for task-level changes on the task stream. */
export const SSE_TASK = "task";
export const SSE_HEARTBEAT_MS = 15_000;
