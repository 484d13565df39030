import { ACTIVE_STATUSES, PARKED_STATUSES, TASK_STATUS_PRECEDENCE, TERMINAL_STATUSES } from "@cadre/protocol";
import type { AttemptStatus } from "@cadre/protocol";

/** Statuses as an SQL list, built from protocol's one definition so no query spells them again. */
function sqlList(statuses: readonly AttemptStatus[]): string {
  return statuses.map((status) => `'${status}'`).join(", ");
}

export const TERMINAL_SQL = sqlList(TERMINAL_STATUSES);
export const ACTIVE_SQL = sqlList(ACTIVE_STATUSES);
export const PARKED_SQL = sqlList(PARKED_STATUSES);

/** A task's status from its attempts (`a`), in protocol's order of precedence. */
export const TASK_STATUS_SQL = `case ${TASK_STATUS_PRECEDENCE.slice(0, -1)
  .map((status) => `when bool_or(a.status = '${status}') then '${status}'`)
  .join(" ")} else '${TASK_STATUS_PRECEDENCE.at(-1) ?? "cancelled"}' end`;
