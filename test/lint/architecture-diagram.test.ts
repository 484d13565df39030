import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { diagramIn, importedWorkspaces, readWorkspaces, renderDiagram } from "../../scripts/workspace-graph.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const workspaces = readWorkspaces(root);

describe("ARCHITECTURE.md's diagram", () => {
  it.each(workspaces.map((workspace) => [workspace.dir, workspace] as const))(
    "%s declares in package.json exactly the @cadre workspaces its files import",
    (_dir, workspace) => {
      expect(workspace.uses).toEqual(importedWorkspaces(root, workspace));
    },
  );

  it("is the import graph (regenerate it with: npx tsx scripts/workspace-graph.ts --write)", () => {
    const architecture = readFileSync(`${root}/ARCHITECTURE.md`, "utf8");
    expect(diagramIn(architecture)).toBe(renderDiagram(workspaces));
  });

  it("changes with a new edge, so a drifted diagram cannot pass", () => {
    const web = workspaces.find((workspace) => workspace.name === "web");
    expect(web).toBeDefined();
    const drifted = workspaces.map((workspace) =>
      workspace === web ? { ...workspace, uses: [...workspace.uses, "store"].sort() } : workspace,
    );
    expect(renderDiagram(drifted)).toContain("web --> client & store");
    expect(renderDiagram(drifted)).not.toBe(renderDiagram(workspaces));
  });
});
