/** Who makes a request. Single-token mode has one admin; named users come with scale-out. */
export interface Principal {
  user: string;
  role: "admin" | "member" | "viewer";
}
