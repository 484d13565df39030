import { describe, expect, it } from "vitest";
import { CadreError, ImageReferenceError } from "@cadre/protocol";
import { noRoute, toErrorResponse } from "./error-response.ts";

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

  it("answers a request no route matches with a 404 that points at the route table", () => {
    expect(toErrorResponse(noRoute("GET", "/api/v1/nothing"))).toEqual({
      status: 404,
      body: {
        error: {
          code: "not_found",
          message: "no route GET /api/v1/nothing: see the API route table in packages/protocol",
        },
      },
    });
  });

  it("maps a domain error by the code it extends CadreError with", () => {
    const r = toErrorResponse(new ImageReferenceError('image reference "x": no such transport'), () => undefined);
    expect(r.status).toBe(400);
    expect(r.body.error).toEqual({ code: "validation_failed", message: 'image reference "x": no such transport' });
  });
});
