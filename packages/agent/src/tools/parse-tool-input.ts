import type { z } from "zod";

/** Validates tool input; the error names the fields the model got wrong. */
export function parseToolInput<T>(
  tool: string,
  schema: z.ZodType<T>,
  input: unknown,
): { ok: true; value: T } | { ok: false; error: string } {
  let value = input;
  // Some providers hand over unparsed JSON when the arguments were malformed or streamed oddly.
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return { ok: false, error: `Invalid input for ${tool}: the arguments are not valid JSON. Send a JSON object.` };
    }
  }
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  const issues = r.error.issues
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "(input)"}: ${i.message}`)
    .join("; ");
  return { ok: false, error: `Invalid input for ${tool}: ${issues}. Fix the arguments and call ${tool} again.` };
}
