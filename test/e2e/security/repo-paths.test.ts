import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { Repo } from "@cadre/protocol";
import { createFixtureRepo } from "../../support/fixture-repo.ts";
import { errorOf, startAccessWorld, type AccessWorld } from "./access-world.ts";

/**
 * Hole 3: a member added a host directory as a repo (another repo's origin, Cadre's own mirror,
 * a checkout) and was granted it, so approving pushed there with the server's credentials.
 */
describe("security: local repository paths", () => {
  let world: AccessWorld;
  let vault: Repo & { path: string };
  let member: string;
  let viewer: string;
  let roots: string;
  let rootsParent: string;

  beforeAll(async () => {
    rootsParent = await mkdtemp(join(tmpdir(), "cadre-roots-"));
    roots = join(rootsParent, "team");
    await mkdir(roots, { recursive: true });
    world = await startAccessWorld({ env: { CADRE_LOCAL_REPO_ROOTS: roots } });
    vault = await world.addRepo("vault");
    member = await world.addUser("mallory", "member");
    viewer = await world.addUser("vic", "viewer");
  });
  afterAll(async () => {
    await world?.stop();
    if (rootsParent) await rm(rootsParent, { recursive: true, force: true });
  });

  async function memberRepos(): Promise<string[]> {
    const listed = await world.call(member, "GET", "/repos");
    return (listed.body as { items: Repo[] }).items.map((r) => r.name);
  }

  async function allRepos(): Promise<string[]> {
    const listed = await world.call(world.server.token, "GET", "/repos");
    return (listed.body as { items: Repo[] }).items.map((r) => r.name);
  }

  it("a member cannot add another repo's origin, Cadre's mirror or a path outside the configured roots", async () => {
    const inside = join(roots, "link-to-vault");
    await symlink(vault.path, inside);
    const worktree = join(roots, "vault-worktree");
    execFileSync("git", ["-C", vault.path, "worktree", "add", "-q", "--detach", worktree]);
    const attacks = [
      vault.path,
      `file://${vault.path}`,
      join(world.home, "mirrors", `${vault.id}.git`),
      // through a symlink or `..` that starts under the allowed root
      inside,
      `${roots}/${relative(roots, vault.path)}`,
      // a worktree under the root whose repository is the vault's
      worktree,
      join(vault.path, ".git"),
    ];
    for (const [index, origin] of attacks.entries()) {
      const answer = await world.call(member, "POST", "/repos", { origin, name: `stolen-${index}` });
      expect(answer.status, `${origin}: ${answer.text}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, `${origin}: ${answer.text}`).toBeLessThan(500);
      expect(errorOf(answer).message.length).toBeGreaterThan(20);
    }
    expect(await memberRepos()).toEqual([]);
    expect(await allRepos()).toEqual(["vault"]);
    // the one outside any root says what to do
    const outside = await world.call(member, "POST", "/repos", { origin: vault.path, name: "stolen" });
    expect(outside.status).toBe(403);
    expect(errorOf(outside).message).toMatch(/CADRE_LOCAL_REPO_ROOTS/);
  });

  it("a member adds a repository under a configured root and is granted it", async () => {
    const own = join(roots, "mine");
    await createFixtureRepo(own);
    const answer = await world.call(member, "POST", "/repos", { origin: own, name: "mine" });
    expect(answer.status, answer.text).toBe(201);
    expect(await memberRepos()).toEqual(["mine"]);
    // a second registration of the same repository, by anyone, is refused
    const again = await world.call(world.server.token, "POST", "/repos", { origin: `${own}/`, name: "mine-again" });
    expect(again.status, again.text).toBe(409);
  });

  it("a viewer adds nothing, local or remote", async () => {
    for (const origin of [join(roots, "mine"), "https://example.com/x.git"]) {
      const answer = await world.call(viewer, "POST", "/repos", { origin, name: "viewer-repo" });
      expect(answer.status).toBe(403);
    }
  });

  it("even an admin cannot add a path inside the Cadre home or an origin already added", async () => {
    const insideHome = join(world.home, "planted");
    await createFixtureRepo(insideHome);
    for (const origin of [
      insideHome,
      join(world.home, "mirrors", `${vault.id}.git`),
      join(world.home, "mirrors", `${vault.id}.git`, ".."),
      vault.path,
      join(vault.path, ".git"),
    ]) {
      const answer = await world.call(world.server.token, "POST", "/repos", { origin, name: "admin-try" });
      expect(answer.status, `${origin}: ${answer.text}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, `${origin}: ${answer.text}`).toBeLessThan(500);
    }
    expect(await allRepos()).toEqual(["mine", "vault"]);
    // a relative path means nothing to a server: refused rather than resolved against its working directory
    const relative = await world.call(world.server.token, "POST", "/repos", { origin: ".", name: "cwd" });
    expect(relative.status).toBe(400);
    expect(errorOf(relative).message).toMatch(/absolute/);
  });

  it("a remote URL stays open to members; one with a password in it is refused", async () => {
    // Nothing listens on port 9: the request passes the access checks and fails to fetch.
    const remote = await world.call(member, "POST", "/repos", { origin: "git://127.0.0.1:9/x.git", name: "remote" });
    expect(remote.status, remote.text).not.toBe(403);
    expect(remote.status).toBeLessThan(500);
    const withPassword = await world.call(member, "POST", "/repos", {
      origin: "https://bot:ghp_secretvalue@example.com/org/x.git",
      name: "remote",
    });
    expect(withPassword.status).toBe(400);
    expect(errorOf(withPassword).message).not.toContain("ghp_secretvalue");
    expect(world.server.logs()).not.toContain("ghp_secretvalue");
  });
});
