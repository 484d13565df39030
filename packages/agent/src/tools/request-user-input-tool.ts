import { Question } from "@cadre/protocol";
import { z } from "zod";
import type { AgentTool } from "./agent-tool.ts";
import { toolError } from "./agent-tool.ts";
import { parseToolInput } from "./parse-tool-input.ts";

const RequestUserInput = z.object({ questions: z.array(Question).min(1).max(3) });

export const REQUEST_USER_INPUT_RESULT =
  "Question sent to the user. The run pauses here; their answer will arrive as the next message.";

export const requestUserInputTool: AgentTool = {
  spec: {
    kind: "function",
    name: "request_user_input",
    description:
      "Ask the user 1-3 questions when a decision you need is missing (do not guess). Each question offers 2-3 suggested answers; " +
      "the user may also answer in free text. The run pauses until they answer. Call it alone, as the last thing in your reply.",
    parameters: {
      type: "object",
      properties: {
        questions: {
          type: "array",
          minItems: 1,
          maxItems: 3,
          items: {
            type: "object",
            properties: {
              question: { type: "string" },
              options: { type: "array", items: { type: "string" }, minItems: 2, maxItems: 3 },
            },
            required: ["question", "options"],
            additionalProperties: false,
          },
        },
      },
      required: ["questions"],
      additionalProperties: false,
    },
  },
  async run(input, ctx) {
    const parsed = parseToolInput("request_user_input", RequestUserInput, input);
    if (!parsed.ok) return toolError(parsed.error);
    await ctx.emit({ type: "question", callId: ctx.callId, questions: parsed.value.questions });
    return { output: REQUEST_USER_INPUT_RESULT, isError: false, waitFor: "answer" };
  },
};
