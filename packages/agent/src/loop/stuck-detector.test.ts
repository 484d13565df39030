import type { EventBody } from "@cadre/protocol";
import { describe, expect, it } from "vitest";
import { detectStuck } from "./stuck-detector.ts";

let n = 0;
const step = (name: string, input: unknown, output: string, isError = false): EventBody[] => {
  const callId = `c${++n}`;
  return [
    { type: "tool_call", callId, name, input },
    { type: "tool_result", callId, name, output, isError },
  ];
};
const prompt: EventBody = { type: "user_message", kind: "prompt", text: "t" };

describe("detectStuck", () => {
  it("flags the same call with the same result 4 times, not 3", () => {
    const s = step("shell", { command: "ls" }, "Exit code: 0\nWall time: 0.1s\nOutput:\na");
    const t = step("shell", { command: "ls" }, "Exit code: 0\nWall time: 0.3s\nOutput:\na");
    const other = step("shell", { command: "pwd" }, "x");
    expect(detectStuck([prompt, ...s, ...other, ...t, ...other.map((e) => ({ ...e })), ...s])).toBeNull();
    expect(
      detectStuck([
        prompt,
        ...s,
        ...step("shell", { command: "a" }, "1"),
        ...t,
        ...step("shell", { command: "b" }, "2"),
        ...s,
        ...step("shell", { command: "c" }, "3"),
        ...t,
      ]),
    ).toMatch(/same result 4 times/);
  });

  it("treats input key order as the same call", () => {
    const a = step("shell", { command: "ls", workdir: "x" }, "r");
    const b = step("shell", { workdir: "x", command: "ls" }, "r");
    expect(detectStuck([prompt, ...a, ...b, ...step("t", 1, "q"), ...a, ...step("t", 2, "q2"), ...b])).toMatch(
      /4 times/,
    );
  });

  it("flags the same error 3 times in a row", () => {
    const err = (cmd: string) => step("shell", { command: cmd }, "Exit code: 1\nWall time: 1s\nOutput:\nENOENT", true);
    expect(detectStuck([prompt, ...err("a"), ...err("b")])).toBeNull();
    expect(detectStuck([prompt, ...err("a"), ...err("b"), ...err("c")])).toMatch(/same error occurred 3 times/);
    expect(detectStuck([prompt, ...err("a"), ...err("b"), ...step("x", 1, "ok"), ...err("c")])).toBeNull();
  });

  it("flags an A-B-A-B alternation repeated 3 times", () => {
    const a = () => step("shell", { command: "make" }, "fail A");
    const b = () => step("apply_patch", "patch", "ok B");
    expect(detectStuck([prompt, ...a(), ...b(), ...a(), ...b(), ...a()])).toBeNull();
    expect(detectStuck([prompt, ...a(), ...b(), ...a(), ...b(), ...a(), ...b()])).toMatch(/alternated/);
  });

  it("only looks at the current turn", () => {
    const s = () => step("shell", { command: "ls" }, "same");
    expect(
      detectStuck([prompt, ...s(), ...s(), ...s(), { type: "user_message", kind: "followup", text: "again" }, ...s()]),
    ).toBeNull();
  });
});
