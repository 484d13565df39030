import type { z } from "zod";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { TOOL_ANNOTATIONS, type ToolName } from "./tool-annotations.ts";

/** A tool's registration with its title and annotations taken from the one table, by name. */
export function toolConfig<Input extends z.ZodRawShape, Output extends z.ZodObject>(
  name: ToolName,
  spec: { description: string; inputSchema: Input; outputSchema: Output },
) {
  const annotations = TOOL_ANNOTATIONS[name];
  return { title: annotations.title, annotations, ...spec };
}

/**
 * A result whose structured content is typed by the tool's output schema; the text is the given
 * text or the same object as JSON (what clients without structured output read).
 */
export function structuredResult<Output extends z.ZodObject>(
  _schema: Output,
  output: z.output<Output>,
  text?: string,
): CallToolResult {
  return {
    content: [{ type: "text", text: text ?? JSON.stringify(output, null, 2) }],
    structuredContent: output,
  };
}
