import { describe, expect, it } from "vitest";
import { normalizeStopReason } from "./stop-reason.ts";

describe("normalizeStopReason", () => {
  it("maps every provider's words onto stop / tool_calls / max_tokens", () => {
    expect(normalizeStopReason("end_turn", false)).toBe("stop");
    expect(normalizeStopReason("tool_use", true)).toBe("tool_calls");
    expect(normalizeStopReason("stop", true)).toBe("tool_calls");
    expect(normalizeStopReason("length", false)).toBe("max_tokens");
    expect(normalizeStopReason("max_output_tokens", false)).toBe("max_tokens");
    expect(normalizeStopReason("max_tokens", false)).toBe("max_tokens");
    expect(normalizeStopReason("content_filter", false)).toBe("content_filter");
    expect(normalizeStopReason(null, false)).toBe("stop");
  });
});
