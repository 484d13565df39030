import { parse, printParseErrorCode, type ParseError } from "jsonc-parser";
import { z } from "zod";
import { DEVCONTAINER_IMAGE } from "@cadre/protocol";
import { ImageError } from "./image-error.ts";

/** Where a repository keeps its devcontainer definition, in the order they are looked for. */
export const DEVCONTAINER_PATHS = [".devcontainer/devcontainer.json", ".devcontainer.json"];

/** What Cadre takes from a devcontainer.json. */
export interface Devcontainer {
  path: string;
  image: string;
  /** `containerEnv` (and `remoteEnv`), as the sandbox's variables. */
  variables: Record<string, string>;
  /** `onCreateCommand`, `updateContentCommand`, `postCreateCommand`: run once, as setup. */
  setupScript: string;
  /** `postStartCommand`: run when a cached setup is reused, as maintenance. */
  maintenanceScript: string;
  /** Keys that shape a container at run time that Cadre's sandbox does not use. */
  ignoredKeys: string[];
}

const Command = z.union([
  z.string(),
  z.array(z.string()),
  z.record(z.string(), z.union([z.string(), z.array(z.string())])),
]);

const DevcontainerJson = z.looseObject({
  image: z.string().optional(),
  containerEnv: z.record(z.string(), z.string()).optional(),
  remoteEnv: z.record(z.string(), z.string().nullable()).optional(),
  onCreateCommand: Command.optional(),
  updateContentCommand: Command.optional(),
  postCreateCommand: Command.optional(),
  postStartCommand: Command.optional(),
});

/** Keys Cadre cannot honour, with what to do instead. */
const UNSUPPORTED: Record<string, string> = {
  build:
    'Cadre does not build images: build this Dockerfile (docker build, buildah), push it to a registry or save it with skopeo, and name it in "image"',
  dockerFile: 'Cadre does not build images: build the Dockerfile, push it, and name the result in "image"',
  dockerfile: 'Cadre does not build images: build the Dockerfile, push it, and name the result in "image"',
  dockerComposeFile: 'compose setups are not supported: name the image of the service you work in under "image"',
  features:
    'features are not installed by Cadre: bake them into the image, or install the tools in "postCreateCommand"',
};

const IGNORED = [
  "mounts",
  "runArgs",
  "capAdd",
  "privileged",
  "securityOpt",
  "init",
  "remoteUser",
  "containerUser",
  "updateRemoteUserUID",
  "initializeCommand",
  "postAttachCommand",
  "forwardPorts",
  "appPort",
  "portsAttributes",
  "workspaceMount",
  "workspaceFolder",
  "overrideCommand",
  "shutdownAction",
  "hostRequirements",
];

function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A lifecycle command as shell lines: a string is a shell command, an array an argv, an object several commands. */
function commandScript(command: z.infer<typeof Command> | undefined): string[] {
  if (command === undefined) return [];
  if (typeof command === "string") return command.trim() === "" ? [] : [command];
  if (Array.isArray(command)) return command.length === 0 ? [] : [command.map(quote).join(" ")];
  return Object.values(command).flatMap((part) => commandScript(part));
}

function script(commands: string[]): string {
  // Each command in its own subshell; the first failure fails the script, as in a devcontainer.
  return commands.map((command) => `(\n${command}\n) || exit $?`).join("\n");
}

/**
 * Reads the repository's devcontainer.json (JSON with comments and trailing commas) through
 * `readFile` (the file at the task's base commit, or null). Throws ImageError naming the key and
 * what to do when the file asks for what Cadre does not do.
 */
export async function readDevcontainer(readFile: (path: string) => Promise<string | null>): Promise<Devcontainer> {
  for (const path of DEVCONTAINER_PATHS) {
    const text = await readFile(path);
    if (text !== null) return parseDevcontainer(path, text);
  }
  throw new ImageError(
    DEVCONTAINER_IMAGE,
    `the repository has no ${DEVCONTAINER_PATHS.join(" or ")} at this commit; add one or give the environment an image reference`,
  );
}

export function parseDevcontainer(path: string, text: string): Devcontainer {
  const errors: ParseError[] = [];
  const raw: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  const fail = (why: string): never => {
    throw new ImageError(DEVCONTAINER_IMAGE, `${path}: ${why}`);
  };
  const first = errors[0];
  if (first) fail(`not valid JSON with comments: ${printParseErrorCode(first.error)} at offset ${first.offset}`);
  const parsed = DevcontainerJson.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(`${issue?.path.join(".") || "the file"}: ${issue?.message ?? "unexpected content"}`);
  }
  const json = parsed.data as z.infer<typeof DevcontainerJson> & Record<string, unknown>;
  for (const [key, advice] of Object.entries(UNSUPPORTED))
    if (json[key] !== undefined) fail(`"${key}" is not supported: ${advice}`);
  if (!json.image)
    fail(
      'no "image": name the image to work in (a registry reference such as mcr.microsoft.com/devcontainers/base:bookworm)',
    );
  const remoteEnv = Object.fromEntries(
    Object.entries(json.remoteEnv ?? {}).filter((entry): entry is [string, string] => entry[1] !== null),
  );
  return {
    path,
    image: json.image as string,
    variables: { ...json.containerEnv, ...remoteEnv },
    setupScript: script([
      ...commandScript(json.onCreateCommand),
      ...commandScript(json.updateContentCommand),
      ...commandScript(json.postCreateCommand),
    ]),
    maintenanceScript: script(commandScript(json.postStartCommand)),
    ignoredKeys: IGNORED.filter((key) => json[key] !== undefined),
  };
}
