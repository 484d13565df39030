import { describe, expect, it } from "vitest";
import { CadreError } from "@cadre/protocol";
import { toErrorResponse } from "./error-response.ts";

describe("toErrorResponse", () => {
  it("maps Cadre errors by code and hides unknown ones", () => {
    expect(toErrorResponse(new CadreError("not_found", "no such task")).status).toBe(404);
    const logged: string[] = [];
    const r = toErrorResponse(new Error("secret internals"), (m) => logged.push(m));
    expect(r.status).toBe(500);
    expect(r.body.error.message).not.toContain("secret internals");
    expect(logged[0]).toContain("secret internals");
  });

  it("turns a unique violation from a race into a 409 that names the value", () => {
    const err = Object.assign(new Error("duplicate key value violates unique constraint"), {
      code: "23505",
      detail: "Key (name)=(calc) already exists.",
    });
    const r = toErrorResponse(err, () => undefined);
    expect(r.status).toBe(409);
    expect(r.body.error).toEqual({
      code: "conflict",
      message: "a name 'calc' already exists: choose another or use the existing one",
    });
  });
});
