import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Repo } from "@cadre/protocol";
import { allowedOrigin, isInside, LOCAL_REPO_ROOTS, type OriginPolicy } from "./repo-origin-policy.ts";

function initRepo(dir: string): void {
  execFileSync("git", ["init", "-q", "-b", "main", dir]);
  execFileSync("git", [
    "-C",
    dir,
    "-c",
    "user.name=t",
    "-c",
    "user.email=t@e",
    "commit",
    "-q",
    "--allow-empty",
    "-m",
    "x",
  ]);
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error("expected a refusal");
}

describe("which origins a user may add", () => {
  let dir: string;
  let home: string;
  let roots: string;
  let existing: Repo[];
  const member = { user: "mia", role: "member" } as const;
  const admin = { user: "admin", role: "admin" } as const;
  const policy = (over: Partial<OriginPolicy>): OriginPolicy => ({
    principal: member,
    home,
    env: { [LOCAL_REPO_ROOTS]: roots },
    existing,
    ...over,
  });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "cadre-origin-policy-"));
    home = join(dir, "home");
    roots = join(dir, "roots");
    await mkdir(home);
    await mkdir(roots);
    initRepo(join(dir, "taken"));
    initRepo(join(roots, "fresh"));
    initRepo(join(home, "inside"));
    existing = [
      { id: "repo_a1", name: "taken", origin: join(dir, "taken"), defaultBranch: "main", forge: null, createdAt: "" },
      {
        id: "repo_a2",
        name: "remote",
        origin: "https://example.com/org/x.git",
        defaultBranch: "main",
        forge: null,
        createdAt: "",
      },
    ];
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("isInside compares whole path components", () => {
    expect(isInside("/a/b", "/a")).toBe(true);
    expect(isInside("/a", "/a")).toBe(true);
    expect(isInside("/ab", "/a")).toBe(false);
    expect(isInside("/a/..b", "/a")).toBe(true);
    expect(isInside("/", "/a")).toBe(false);
  });

  it("a member adds a repository under a root, and is told how local paths work when there is none", async () => {
    expect(await allowedOrigin(join(roots, "fresh"), policy({}))).toBe(join(roots, "fresh"));
    const none = await refusal(allowedOrigin(join(roots, "fresh"), policy({ env: {} })));
    expect(none.code).toBe("forbidden");
    expect(none.message).toMatch(/only an admin .* CADRE_LOCAL_REPO_ROOTS/);
    // admins need no root
    expect(await allowedOrigin(join(roots, "fresh"), policy({ principal: admin, env: {} }))).toBe(join(roots, "fresh"));
  });

  it("resolves a symlink before comparing, and refuses what it leads to", async () => {
    await symlink(join(dir, "taken"), join(roots, "link"));
    expect((await refusal(allowedOrigin(join(roots, "link"), policy({})))).code).toBe("forbidden");
    const asAdmin = await refusal(allowedOrigin(join(roots, "link"), policy({ principal: admin })));
    expect(asAdmin.code).toBe("conflict");
  });

  it("refuses the Cadre home for everyone, before git looks inside", async () => {
    const inside = await refusal(allowedOrigin(join(home, "inside"), policy({ principal: admin })));
    expect(inside.code).toBe("forbidden");
    expect(inside.message).toMatch(/inside the Cadre home/);
  });

  it("refuses a remote URL already added, whatever its trailing slash or .git", async () => {
    for (const url of ["https://example.com/org/x", "https://EXAMPLE.com/org/x.git/", "https://example.com/org/x/"])
      expect((await refusal(allowedOrigin(url, policy({})))).code).toBe("conflict");
    expect(await allowedOrigin("https://example.com/org/y.git", policy({}))).toBe("https://example.com/org/y.git");
  });

  it("refuses a directory that is not a repository", async () => {
    await mkdir(join(roots, "plain"));
    const plain = await refusal(allowedOrigin(join(roots, "plain"), policy({})));
    expect(plain.code).toBe("bad_request");
    expect(plain.message).toMatch(/not a git repository/);
  });
});
