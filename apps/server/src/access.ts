import { CadreError } from "@cadre/protocol";
import type { Principal } from "./principal.ts";

const RANK = { viewer: 0, member: 1, admin: 2 } as const;

/** Refuses the request unless the principal has at least `role`. */
export function requireRole(p: Principal, role: Principal["role"]): void {
  if (RANK[p.role] < RANK[role]) {
    throw new CadreError("forbidden", `user '${p.user}' is a ${p.role} and this needs the ${role} role: ask an admin to grant it`);
  }
}
