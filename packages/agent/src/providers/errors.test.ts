import { describe, expect, it } from "vitest";
import { retryAfterMs } from "./errors.ts";
import { retryDelayMs } from "./retry.ts";

describe("retry timing", () => {
  it("reads retry-after-ms, seconds and HTTP dates, capped at 60 s", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(retryAfterMs(new Headers({ "retry-after-ms": "250" }), now)).toBe(250);
    expect(retryAfterMs(new Headers({ "retry-after": "2" }), now)).toBe(2000);
    expect(retryAfterMs(new Headers({ "retry-after": "Wed, 01 Jan 2025 00:00:05 GMT" }), now)).toBe(5000);
    expect(retryAfterMs(new Headers({ "retry-after": "3600" }), now)).toBe(60_000);
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }), now)).toBeNull();
    expect(retryAfterMs(new Headers(), now)).toBeNull();
  });

  it("backs off exponentially with bounded jitter unless the server said when", () => {
    expect(retryDelayMs(0, null, () => 0.5)).toBe(500);
    expect(retryDelayMs(3, null, () => 0.5)).toBe(4000);
    expect(retryDelayMs(3, null, () => 0)).toBe(3000);
    expect(retryDelayMs(3, null, () => 0.999)).toBeLessThanOrEqual(5000);
    expect(retryDelayMs(20, null, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(0, 1500)).toBe(1500);
  });
});
