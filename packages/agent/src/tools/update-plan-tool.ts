import { PlanStep } from "@cadre/protocol";
import { z } from "zod";
import type { AgentTool } from "./agent-tool.ts";
import { toolError } from "./agent-tool.ts";
import { parseToolInput } from "./parse-tool-input.ts";

const UpdatePlanInput = z.object({
  explanation: z.string().nullish(),
  plan: z.array(PlanStep).min(1),
});

export const updatePlanTool: AgentTool = {
  spec: {
    kind: "function",
    name: "update_plan",
    description:
      "Record or update your step-by-step plan, shown to the user. Give the whole plan each time; " +
      "each step is pending, in_progress or completed, with at most one in_progress. Update it as steps are done.",
    parameters: {
      type: "object",
      properties: {
        explanation: { type: "string", description: "Optional note on why the plan changed." },
        plan: {
          type: "array",
          items: {
            type: "object",
            properties: {
              step: { type: "string" },
              status: { type: "string", enum: ["pending", "in_progress", "completed"] },
            },
            required: ["step", "status"],
            additionalProperties: false,
          },
        },
      },
      required: ["plan"],
      additionalProperties: false,
    },
  },
  async run(input, ctx) {
    const parsed = parseToolInput("update_plan", UpdatePlanInput, input);
    if (!parsed.ok) return toolError(parsed.error);
    const { explanation, plan } = parsed.value;
    const inProgress = plan.filter((s) => s.status === "in_progress").length;
    if (inProgress > 1) {
      return toolError(
        `update_plan: ${inProgress} steps are in_progress; at most one may be. Mark the others pending or completed.`,
      );
    }
    await ctx.emit({ type: "plan", explanation: explanation ?? null, steps: plan });
    return { output: "Plan updated.", isError: false };
  },
};
