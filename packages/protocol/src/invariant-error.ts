/**
 * A programming error: a broken invariant no user can cause (a method called before `start`, a case a
 * switch should have covered). It is not a CadreError on purpose, so the server logs its stack and
 * answers a plain 500; everything a person can cause is a CadreError with a code and advice.
 */
export class InvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvariantError";
  }
}
