import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUGGY_CALC } from "../../support/fixture-repo.ts";
import { promptOf } from "../../support/script-helpers.ts";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import type { RepoState, Thread } from "../../support/github-double/index.ts";
import { expectNoProblems, filesContaining, startForgeWorld, until, type ForgeWorld } from "./forge-world.ts";

/** The pull request plants a bug in mul(); a later push adds a second problem to README.md. */
const PLANTED = BUGGY_CALC.replace("return a * b;", "return a * b + 1;");
const BUG_LINE = PLANTED.split("\n").indexOf("  return a * b + 1;") + 1;

const MUL_FINDING = {
  file: "calc.mjs",
  line: BUG_LINE,
  severity: "high",
  explanation: "mul() adds 1 to every product",
  suggestion: "  return a * b;",
};

function findings(items: unknown[]): Step {
  return { text: `Reviewed the change.\n\n\`\`\`json\n${JSON.stringify(items)}\n\`\`\`` };
}

function script(ctx: ScriptContext): Step {
  const prompt = promptOf(ctx);
  if (!prompt.includes("Review the following change")) return { text: "Nothing to do." };
  const extra = prompt.includes("TODO: document")
    ? [{ file: "README.md", line: 3, severity: "low", explanation: "the README promises docs that are not there" }]
    : [];
  return findings([MUL_FINDING, ...extra]);
}

describe("GitHub reviews, as a GitHub App", () => {
  let world: ForgeWorld;
  let repo: RepoState;
  let pr: Thread;
  const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });

  beforeAll(async () => {
    world = await startForgeWorld({
      script,
      app: {
        id: 90210,
        slug: "cadre-app",
        installationId: 31337,
        privateKeyPem: keys.privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
        publicKeyPem: keys.publicKey.export({ type: "spki", format: "pem" }).toString(),
        // shorter than Cadre's refresh margin: every use of a token after a minute mints a new one
        tokenLifetimeMs: 4 * 60_000,
      },
    });
    ({ state: repo } = await world.addRepo("acme/calc"));
    await world.gh.pushFiles(repo, {
      by: "alice",
      branch: "feature/mul",
      files: { "calc.mjs": PLANTED },
      message: "Speed up mul()",
    });
    ({ thread: pr } = await world.gh.openPull(repo, "alice", { head: "feature/mul", title: "Speed up mul()" }));
  });
  afterAll(async () => world?.stop());

  const reviewCheck = (sha: string) => repo.checkRuns.find((r) => r.name === "Cadre review" && r.headSha === sha);

  it("signs in with a JWT from the app's key and mints installation tokens from it", () => {
    expect(world.forge.auth).toEqual({ kind: "app", appId: "90210", installationId: 31337 });
    const app = world.gh.requests.filter((r) => r.operationId === "apps/get-authenticated");
    expect(app.length).toBeGreaterThan(0);
    expect(app.every((r) => r.auth === "bearer" && r.status === 200)).toBe(true);
    const minted = world.gh.requests.filter((r) => r.operationId === "apps/create-installation-access-token");
    expect(minted.length).toBeGreaterThan(0);
    expect(minted.every((r) => r.auth === "bearer" && r.status === 201)).toBe(true);
    // everything else used an installation token, never the JWT
    const rest = world.gh.requests.filter((r) => r.operationId && !r.operationId.startsWith("apps/"));
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.every((r) => r.auth === "token")).toBe(true);
  });

  it("@cadre review on a PR with a planted bug → a review with an inline comment on a changed line and a completed check run", async () => {
    const mintedBefore = world.gh.state.app?.tokensMinted ?? 0;
    const { comment } = await world.gh.comment(repo, "alice", pr.number, "@cadre review");
    const review = await until("the review", () => pr.pull?.reviews.find((r) => r.user === "cadre-app[bot]"));
    const inline = pr.pull?.reviewComments.filter((c) => c.reviewId === review.id) ?? [];
    expect(inline).toHaveLength(1);
    expect(inline[0]).toMatchObject({ path: "calc.mjs", line: BUG_LINE, side: "RIGHT", user: "cadre-app[bot]" });
    expect(inline[0]?.body).toContain("**high**: mul() adds 1 to every product");
    expect(inline[0]?.body).toContain("```suggestion\n  return a * b;\n```");
    expect(review.body).toContain("1 finding (1 high)");
    const check = await until("the completed check run", () => {
      const run = reviewCheck(pr.pull?.headSha ?? "");
      return run?.status === "completed" ? run : null;
    });
    expect(check).toMatchObject({ app: "cadre-app", conclusion: "neutral" });
    expect(pr.reactions.some((r) => r.commentId === comment.id && r.content === "eyes")).toBe(true);
    // the same question again at the same commit: no second review
    await world.gh.comment(repo, "alice", pr.number, "@cadre review");
    await world.gh.idle();
    const tasks = await world.tasks();
    expect(tasks.filter((t) => t.mode === "ask")).toHaveLength(1);
    expect(world.gh.state.app?.tokensMinted).toBeGreaterThan(mintedBefore);
  });

  it("a new push re-reviews automatically and does not repeat comments already made; the check fails at the repo's threshold", async () => {
    await world.h.json(["repo", "set", "calc", "--auto-review", "--fail-on", "high"]);
    const head = await world.gh.pushFiles(repo, {
      by: "alice",
      branch: "feature/mul",
      files: { "README.md": "# calc\n\nTODO: document mul()\n" },
      message: "Docs",
    });
    const check = await until("the re-review's check", () => {
      const run = reviewCheck(head);
      return run?.status === "completed" ? run : null;
    });
    expect(check.conclusion).toBe("failure");
    const reviews = pr.pull?.reviews.filter((r) => r.user === "cadre-app[bot]") ?? [];
    expect(reviews).toHaveLength(2);
    const second = pr.pull?.reviewComments.filter((c) => c.reviewId === reviews[1]?.id) ?? [];
    expect(second.map((c) => [c.path, c.line])).toEqual([["README.md", 3]]);
    expect(reviews[1]?.body).toContain("1 already commented on before are not repeated");
    expect(pr.pull?.reviewComments.filter((c) => c.body.includes("mul() adds 1"))).toHaveLength(1);
    expectNoProblems(world);
  });

  it("the app's private key is in no file, log or answer", async () => {
    expect(await filesContaining(world.h.home, world.secrets)).toEqual([]);
    expect(world.h.server.logs()).not.toContain(world.secrets.at(-1));
    expect(JSON.stringify(await world.h.server.client.call("getForge", { params: { name: "gh" } }))).not.toContain(
      "PRIVATE KEY",
    );
  });
});
