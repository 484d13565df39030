import { describe, expect, it } from "vitest";
import { parseDevcontainer, readDevcontainer } from "./devcontainer.ts";

describe("devcontainer.json", () => {
  it("reads image, containerEnv and lifecycle commands from JSON with comments and trailing commas", () => {
    const found = parseDevcontainer(
      ".devcontainer/devcontainer.json",
      `{
        // the toolchain
        "image": "oci-archive:/srv/lua.tar",
        "containerEnv": { "LUA_INIT": "x=1", },
        "postCreateCommand": ["echo", "it's set up"],
        "postStartCommand": { "a": "echo started", "b": ["true"] },
        "customizations": { "vscode": {} },
        "forwardPorts": [3000],
      }`,
    );
    expect(found.image).toBe("oci-archive:/srv/lua.tar");
    expect(found.variables).toEqual({ LUA_INIT: "x=1" });
    expect(found.setupScript).toBe(`(\n'echo' 'it'\\''s set up'\n) || exit $?`);
    expect(found.maintenanceScript).toBe("(\necho started\n) || exit $?\n(\n'true'\n) || exit $?");
    expect(found.ignoredKeys).toEqual(["forwardPorts"]);
  });

  it.each([
    [`{ "build": { "dockerfile": "Dockerfile" } }`, /"build" is not supported: Cadre does not build images/],
    [
      `{ "image": "x", "features": { "ghcr.io/devcontainers/features/go:1": {} } }`,
      /"features" is not supported: .*postCreateCommand/,
    ],
    [`{ "dockerComposeFile": "compose.yml", "service": "app" }`, /compose setups are not supported/],
    [`{ "containerEnv": {} }`, /no "image"/],
    [`{ "image": 42 }`, /image: /],
    [`{ "image": "x" `, /not valid JSON/],
  ])("refuses %s with what to do", (text, message) => {
    expect(() => parseDevcontainer(".devcontainer.json", text)).toThrow(message);
  });

  it("looks in .devcontainer/ then the root, and says when there is none", async () => {
    const files: Record<string, string> = { ".devcontainer.json": `{ "image": "debian:bookworm" }` };
    expect((await readDevcontainer(async (path) => files[path] ?? null)).path).toBe(".devcontainer.json");
    await expect(readDevcontainer(async () => null)).rejects.toThrow(/image devcontainer: the repository has no/);
  });
});
