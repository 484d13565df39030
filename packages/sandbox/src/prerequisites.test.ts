import { describe, expect, it } from "vitest";
import { checkPrerequisites } from "./prerequisites.ts";

describe("prerequisites", () => {
  it("finds bwrap, git and util-linux tools here", async () => {
    expect(await checkPrerequisites()).toEqual({ ok: true, missing: [] });
  });
});
