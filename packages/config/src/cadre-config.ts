import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Budgets } from "@cadre/protocol";
import { ConfigFileError } from "./config-file-error.ts";
import { EMPTY_MODEL_CONFIG, parseModelConfig, type ModelConfig } from "./model-config.ts";

/** What `$CADRE_HOME/config.json` says: the model settings and the per-attempt budgets. */
export interface CadreConfig {
  file: string;
  models: ModelConfig;
  budgets: Budgets;
}

export function configFile(home: string): string {
  return join(home, "config.json");
}

function parseBudgets(raw: unknown, file: string): Budgets {
  const parsed = Budgets.safeParse((raw as { budgets?: unknown } | null)?.budgets ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `budgets.${issue.path.join(".")}: ${issue.message}`);
  throw new ConfigFileError(file, problems.join("; "));
}

/**
 * Reads config.json once: the server reads it when a task is created and when a runner starts a
 * run of it, and passes what it found down (runners keep no configuration of their own). A
 * missing file means built-in defaults (model from environment variables only).
 */
export async function loadCadreConfig(home: string): Promise<CadreConfig> {
  const file = configFile(home);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      return { file, models: EMPTY_MODEL_CONFIG, budgets: Budgets.parse({}) };
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigFileError(file, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return { file, models: parseModelConfig(raw, file), budgets: parseBudgets(raw, file) };
}
