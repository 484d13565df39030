import type { Role } from "@cadre/protocol";

/**
 * Who makes a request: the bootstrap admin (the token in $CADRE_HOME/token) or a named user
 * authenticated by one of their API tokens.
 */
export interface Principal {
  user: string;
  role: Role;
}
