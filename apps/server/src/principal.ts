import type { Role } from "@cadre/protocol";

/**
 * Who makes a request: the bootstrap admin (the token in $CADRE_HOME/token) or a named user
 * authenticated by one of their API tokens.
 */
export interface Principal {
  user: string;
  role: Role;
}

/** What the auth middleware leaves on every /api request. */
export interface RequestVariables {
  principal: Principal;
  /** Checks the request's token again (a long-lived stream re-checks it, so revoking it ends the stream). */
  reauthenticate: () => Promise<Principal>;
}
