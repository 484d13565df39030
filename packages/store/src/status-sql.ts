import { TERMINAL_STATUSES } from "@cadre/protocol";

/** The terminal statuses as an SQL list, built from protocol's one definition so no query spells them again. */
export const TERMINAL_SQL = TERMINAL_STATUSES.map((status) => `'${status}'`).join(", ");
