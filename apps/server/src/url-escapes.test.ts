import { describe, expect, it } from "vitest";
import { CadreError } from "@cadre/protocol";
import { checkUrlEscapes, malformedEscape } from "./url-escapes.ts";

describe("malformed percent-escapes", () => {
  it("finds the segment, query name or value that does not decode", () => {
    expect(malformedEscape("http://h/%E0%A4%A")).toBe("%E0%A4%A");
    expect(malformedEscape("http://h/assets/%zz.js")).toBe("%zz.js");
    expect(malformedEscape("http://h/api/v1/tasks?q=ok&repo=%")).toBe("%");
    expect(malformedEscape("http://h/api/v1/tasks?%C0%AF=1")).toBe("%C0%AF");
    expect(malformedEscape("http://h/x?a=%ED%A0%80")).toBe("%ED%A0%80");
  });

  it("lets well-formed escapes and plain URLs through", () => {
    expect(malformedEscape("http://h/")).toBeNull();
    expect(malformedEscape("http://h/api/v1/repos/%63alc?q=%C3%A9+x&path=a%2Fb")).toBeNull();
    expect(() => checkUrlEscapes("http://h/tasks?q=%25")).not.toThrow();
  });

  it("refuses with a bad_request that says what to do, shortening a long segment", () => {
    const long = `%zz${"a".repeat(500)}`;
    let caught: unknown;
    try {
      checkUrlEscapes(`http://h/${long}`);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CadreError);
    expect((caught as CadreError).code).toBe("bad_request");
    expect((caught as CadreError).message).toMatch(/%25/);
    expect((caught as CadreError).message.length).toBeLessThan(250);
  });
});
