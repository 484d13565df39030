import { describe, expect, it } from "vitest";
import { CreateTask, IdParam } from "@cadre/protocol";
import { describeZodError } from "./zod-message.ts";

function messageFor(
  schema: { safeParse: (v: unknown) => { error?: unknown } },
  value: unknown,
  where: "path" | "body",
): string {
  const r = schema.safeParse(value) as { error?: Parameters<typeof describeZodError>[0] };
  if (!r.error) throw new Error("expected a validation error");
  return describeZodError(r.error, where);
}

describe("validation messages", () => {
  it("carry no internal prefixes such as 'body: model:' or 'path: id:'", () => {
    const model = messageFor(CreateTask, { prompt: "x", repo: "calc", model: "gpt" }, "body");
    expect(model).toBe("a model is named provider/model, e.g. openai/gpt-5-codex");
    const id = messageFor(IdParam, { id: "../etc" }, "path");
    expect(id).toBe("the id in the URL must be a Cadre id such as task_abc123");
  });

  it("name the field when the schema's message does not, and say what to do with unknown fields", () => {
    expect(messageFor(CreateTask, { prompt: "x", repo: "calc", attempts: "two" }, "body")).toBe(
      "attempts is not valid: expected number, received string",
    );
    expect(messageFor(CreateTask, { prompt: "x", repo: "calc", colour: "red" }, "body")).toBe(
      "unknown field 'colour': remove it",
    );
  });
});
