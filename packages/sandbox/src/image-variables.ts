import type { SandboxImage } from "./environment-image.ts";

/** An image's own variables (its PATH, its shell) under the environment's: the environment wins. */
export function withImageVariables(
  variables: Record<string, string>,
  image: SandboxImage | null,
): Record<string, string> {
  return image ? { SHELL: image.shell, ...image.variables, ...variables } : variables;
}
