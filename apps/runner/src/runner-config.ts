import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

export const Budgets = z.strictObject({
  maxSteps: z.number().int().min(1).default(200),
  maxTokens: z.number().int().min(1000).default(20_000_000),
  maxCostUsd: z.number().min(0).default(25),
});
export type Budgets = z.infer<typeof Budgets>;

/** Per-attempt budgets from `budgets` in $CADRE_HOME/config.json (other keys belong to the model config). */
export async function loadBudgets(home: string): Promise<Budgets> {
  const text = await readFile(join(home, "config.json"), "utf8").catch(() => "{}");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return Budgets.parse({});
  }
  const parsed = Budgets.safeParse((raw as { budgets?: unknown }).budgets ?? {});
  if (!parsed.success)
    throw new Error(
      `invalid 'budgets' in ${join(home, "config.json")}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  return parsed.data;
}
