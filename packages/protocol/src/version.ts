/** Bumped on any breaking change to routes, resources or events. */
export const PROTOCOL_VERSION = "1";
