/**
 * The allowed imports between Cadre's workspaces (ARCHITECTURE.md, "layers"): each workspace lists
 * the @cadre packages it may use and why it may use no other. Every other @cadre import fails
 * `npm run lint` with a message naming both layers. A new workspace is forbidden to everyone until
 * it is listed here.
 */
const WORKSPACES = [
  "protocol",
  "client",
  "git",
  "image",
  "forge",
  "store",
  "agent",
  "sandbox",
  "delivery",
  "config",
  "secrets",
  "server",
  "runner",
  "serve",
  "cli",
  "web",
  "vscode",
];

const layers = {
  "packages/protocol": { may: [], why: "protocol is the bottom layer: it depends on zod only" },
  "packages/client": { may: ["protocol"], why: "the client is typed HTTP over the protocol" },
  "packages/git": { may: ["protocol"], why: "git is a leaf: everything else runs git through it" },
  "packages/image": { may: ["protocol"], why: "images know nothing of the layers that use them" },
  "packages/forge": { may: ["protocol"], why: "the forge runs no git and holds no state of its own" },
  "packages/store": { may: ["protocol"], why: "the store is SQL over the protocol's types" },
  "packages/config": { may: ["protocol"], why: "configuration is read by the apps and passed down" },
  "packages/secrets": { may: ["protocol"], why: "secrets are a leaf both server and runner use" },
  "packages/agent": {
    may: ["protocol"],
    why: "the agent knows nothing of HTTP, SQL or the sandbox implementation (it takes ports)",
    forbidOthers: ["hono", "hono/*", "pg", "@electric-sql/pglite", "@electric-sql/pglite/*"],
  },
  "packages/sandbox": {
    may: ["protocol", "git", "image", "secrets"],
    why: "the sandbox is driven by the runner and never reaches back into it",
  },
  "packages/delivery": { may: ["protocol", "git", "store"], why: "delivery is git and the store, used by apps" },
  "apps/server": {
    may: ["protocol", "git", "store", "delivery", "forge", "image", "config", "secrets"],
    why: "the server never runs agent or sandbox code: it enqueues, and runners reach it through the runner API",
  },
  "apps/runner": {
    may: ["protocol", "client", "git", "agent", "sandbox", "secrets"],
    why: "a runner reaches the server only through the runner API: no store, configuration, forge credentials or surfaces",
  },
  "apps/serve": {
    may: ["protocol", "server", "runner", "sandbox", "store", "config", "secrets"],
    why: "serve only composes the server and the runner",
  },
  "apps/cli": {
    may: ["protocol", "client", "git", "runner", "server", "serve"],
    why: "the CLI talks to the server through the client (it loads serve and runner only for those commands)",
  },
  "apps/web": { may: ["protocol", "client"], why: "the web app talks only through @cadre/client" },
  "apps/vscode": {
    may: ["protocol", "client", "git"],
    why: "the extension talks through @cadre/client and applies with @cadre/git",
  },
};

function importRule(layer, { may, why, forbidOthers = [] }) {
  const cadre = WORKSPACES.filter(
    (name) => !may.includes(name) && `packages/${name}` !== layer && `apps/${name}` !== layer,
  );
  const patterns = cadre.map((name) => ({
    group: [`@cadre/${name}`, `@cadre/${name}/**`],
    message: `${layer} may not import @cadre/${name}: ${why}. Allowed: ${may.map((m) => `@cadre/${m}`).join(", ") || "none"} (eslint-layers.js).`,
  }));
  if (forbidOthers.length > 0)
    patterns.push({ group: forbidOthers, message: `${layer} may not import this package: ${why} (eslint-layers.js).` });
  const files = [`${layer}/**/*.{ts,tsx}`];
  const tests = ["**/*.test.ts", "**/*.test.tsx"];
  // Git runs only through packages/git's own functions; tests may still set up repositories with raw commands.
  const gitCommands = {
    group: ["@cadre/git"],
    importNames: ["runGit", "gitText"],
    message: `${layer} may not assemble git commands: add a function to packages/git that runs them (eslint-layers.js).`,
  };
  const rule = (list) => ({ "no-restricted-imports": ["error", { patterns: list }] });
  return [
    { files, ignores: tests, rules: rule([...patterns, gitCommands]) },
    { files: tests.map((test) => `${layer}/${test}`), rules: rule(patterns) },
  ];
}

export const layerRules = Object.entries(layers).flatMap(([layer, rule]) => importRule(layer, rule));
