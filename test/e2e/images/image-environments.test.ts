import { spawnSync } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Environment, Event, Runner, TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../../support/cadre-harness.ts";
import { patchStep, promptOf, shellStep, turnStep } from "../../support/script-helpers.ts";
import { testImages, type TestImages } from "../../support/test-images.ts";
import { createLuaRepo, LUA_FIX } from "./lua-repo.ts";

const SHOW_SYSTEM =
  'cat /etc/os-release; command -v lua5.4 || echo NO-LUA; command -v bash || echo NO-BASH; echo "SHELL=$SHELL DC=$CADRE_DC"; ' +
  "cat .dc-marker 2>/dev/null; test -e /etc/cadre-doomed && echo DOOMED-PRESENT || echo DOOMED-ABSENT";

function script(ctx: ScriptContext): Step {
  const prompt = promptOf(ctx);
  const step = turnStep(ctx);
  if (prompt.startsWith("LUA-FIX")) {
    if (step === 0) return shellStep(`${SHOW_SYSTEM}; lua5.4 test.lua; echo "first-run exit=$?"`);
    if (step === 1) return patchStep(LUA_FIX);
    if (step === 2) return shellStep('lua5.4 test.lua; echo "second-run exit=$?"');
    return { text: "fixed add() in calc.lua; the Lua test passes" };
  }
  if (prompt.startsWith("SHOW-SYSTEM")) return step === 0 ? shellStep(SHOW_SYSTEM) : { text: "looked" };
  return { text: "nothing to do" };
}

function outputOf(events: Event[]): string {
  return events.map((e) => (e.type === "command_output" ? e.chunk : "")).join("");
}

function setupLogOf(events: Event[]): string {
  return events.map((e) => (e.type === "setup_output" ? e.chunk : "")).join("");
}

describe("environments from OCI images", () => {
  let h: Harness;
  let images: TestImages;
  let scratch: string;

  beforeAll(async () => {
    // Built once per machine from Debian's packages (cached under ~/.cache/cadre-test-images).
    images = await testImages();
    // The repository's devcontainer.json names the archive: a place the operator opened to members.
    h = await startHarness({
      script,
      fixtureRepo: false,
      slots: 3,
      serverEnv: { CADRE_LOCAL_REPO_ROOTS: dirname(images.luaArchive) },
    });
    // Repositories and image files live outside the Cadre home (Cadre refuses both inside it).
    scratch = await mkdtemp(join(tmpdir(), "cadre-images-e2e-"));
    await createLuaRepo(join(scratch, "lua-repo"), `oci-archive:${images.luaArchive}:lua`);
    expect((await h.cli(["repo", "add", join(scratch, "lua-repo"), "--name", "lua"])).code).toBe(0);
  }, 900_000);
  afterAll(async () => {
    await h?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  const newEnv = (name: string, image: string | null, extra: string[] = []) =>
    h.json<Environment>(["env", "create", name, "--repo", "lua", ...(image ? ["--image", image] : []), ...extra]);
  // --wait exits non-zero for a failed task; the JSON is printed either way.
  const runTask = async (prompt: string, env: string): Promise<TaskWithAttempts> => {
    const run = await h.cli(["task", "new", prompt, "--repo", "lua", "--env", env, "--wait", "--json"]);
    return JSON.parse(run.stdout) as TaskWithAttempts;
  };

  it("a task on an image environment runs the image's toolchain: the failing Lua test is fixed and passes", async () => {
    // The runner host has no Lua: whatever runs it comes from the image.
    expect(spawnSync("lua5.4", ["-v"]).error).toBeDefined();
    const env = await newEnv("lua-image", `oci:${images.layout}:lua`, ["--test-command", "lua5.4 test.lua"]);
    expect(env.image).toBe(`oci:${images.layout}:lua`);
    const task = await runTask("LUA-FIX the failing test", "lua-image");
    expect(task.status, JSON.stringify(task.attempts[0])).toBe("completed");
    const attempt = task.attempts[0];
    expect(attempt?.testsPassed).toBe(true);
    expect(attempt?.image?.reference).toBe(`oci:${images.layout}:lua`);
    expect(attempt?.image?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const events = await h.events(task.id);
    const out = outputOf(events);
    expect(out).toContain('PRETTY_NAME="Cadre test image (cadre-lua)"');
    expect(out).toContain("DOOMED-ABSENT");
    expect(out).toContain("FAIL add(2, 3) = -1");
    expect(out).toContain("first-run exit=1");
    expect(out).toContain("all lua tests passed");
    expect(out).toContain("second-run exit=0");
    const setup = setupLogOf(events);
    expect(setup).toMatch(/layer 1\/2 .*unpacked, \d+ files/);
    expect(setup).toContain(`pinned to ${attempt?.image?.digest ?? "?"}`);
    const shown = await h.cli(["task", "show", task.id]);
    expect(shown.stdout).toContain(`image oci:${images.layout}:lua @ ${attempt?.image?.digest ?? "?"}`);
    const diff = await h.cli(["diff", task.id]);
    expect(diff.stdout).toContain("+  return a + b");
  });

  it("the same image from an oci-archive, and through the repository's devcontainer.json", async () => {
    await newEnv("lua-archive", `oci-archive:${images.luaArchive}:lua`);
    const fromArchive = await runTask("SHOW-SYSTEM archive", "lua-archive");
    expect(fromArchive.status).toBe("completed");
    const archiveOut = outputOf(await h.events(fromArchive.id));
    expect(archiveOut).toContain("VARIANT_ID=cadre-lua");
    expect(archiveOut).toContain("/usr/bin/lua5.4");
    expect(archiveOut).toContain("DOOMED-ABSENT");

    await newEnv("lua-devcontainer", "devcontainer");
    const fromDevcontainer = await runTask("SHOW-SYSTEM devcontainer", "lua-devcontainer");
    expect(fromDevcontainer.status).toBe("completed");
    expect(fromDevcontainer.attempts[0]?.image?.reference).toBe(`oci-archive:${images.luaArchive}:lua`);
    const events = await h.events(fromDevcontainer.id);
    const out = outputOf(events);
    expect(out).toContain("VARIANT_ID=cadre-lua");
    expect(out).toContain("DC=from-devcontainer");
    expect(out).toContain("devcontainer-setup-ran");
    // The same layers as the first test: nothing is unpacked again.
    expect(setupLogOf(events)).not.toContain("unpacking");
  });

  it("a corrupted layer blob ends the attempt setup_failed naming the image, and nothing is cached", async () => {
    const broken = join(scratch, "broken-layout");
    await cp(images.layout, broken, { recursive: true });
    // The top layer of `alt` is small and unpacked by no test before this one.
    const index = JSON.parse(await readFile(join(broken, "index.json"), "utf8")) as {
      manifests: { digest: string; annotations?: Record<string, string> }[];
    };
    const alt = index.manifests.find((m) => m.annotations?.["org.opencontainers.image.ref.name"] === "alt");
    const manifest = JSON.parse(
      await readFile(join(broken, "blobs", "sha256", alt?.digest.split(":")[1] ?? "missing"), "utf8"),
    ) as { layers: { digest: string }[] };
    const top = join(broken, "blobs", "sha256", manifest.layers[1]?.digest.split(":")[1] ?? "missing");
    const bytes = await readFile(top);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    await writeFile(top, bytes);
    const layersDir = join(h.home, "sandboxes", "images", "layers");
    const before = (await readdir(layersDir)).sort();

    await newEnv("broken-image", `oci:${broken}:alt`);
    const task = await runTask("SHOW-SYSTEM broken", "broken-image");
    const attempt = task.attempts[0];
    expect(attempt?.status).toBe("failed");
    expect(attempt?.failureReason).toBe("setup_failed");
    expect(attempt?.failureMessage).toContain(`image oci:${broken}:alt:`);
    expect(attempt?.failureMessage).toMatch(/digest|corrupt/);
    expect((await readdir(layersDir)).sort()).toEqual(before);
    expect(await readdir(join(h.home, "sandboxes", "images", "tmp"))).toEqual([]);
  });

  it("refuses at creation an image file that is missing or a tag that is not there, naming the image", async () => {
    const missing = await h.cli(["env", "create", "no-file", "--image", `oci-archive:${scratch}/nothing.tar`]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(`image oci-archive:${scratch}/nothing.tar: `);
    expect(missing.stderr).toContain("does not exist");
    const noTag = await h.cli(["env", "create", "no-tag", "--image", `oci:${images.layout}:nope`]);
    expect(noTag.code).not.toBe(0);
    expect(noTag.stderr).toContain(`image oci:${images.layout}:nope: `);
    expect(noTag.stderr).toContain("nope");
    const inHome = await h.cli(["env", "create", "in-home", "--image", `oci:${h.home}/sandboxes/images`]);
    expect(inHome.code).not.toBe(0);
    expect(inHome.stderr).toContain("inside the Cadre home");
    const badSyntax = await h.cli(["env", "create", "bad-ref", "--image", "oci:relative/dir"]);
    expect(badSyntax.code).not.toBe(0);
    expect(badSyntax.stderr).toContain("absolute path");
  });

  it("a registry that cannot be reached is refused at creation with the reason", async () => {
    // No registry runs on these machines: docker:// is covered by this error path and by unit tests of the syntax.
    const unreachable = await h.cli([
      "env",
      "create",
      "no-registry",
      "--image",
      "docker://registry.invalid/team/app:1",
    ]);
    expect(unreachable.code).not.toBe(0);
    expect(unreachable.stderr).toContain("image docker://registry.invalid/team/app:1: ");
    expect(unreachable.stderr).toMatch(/cannot be reached|no such host|lookup/);
  });

  it("two image environments and one without run side by side, each seeing its own system", async () => {
    await newEnv("alt-image", `oci:${images.layout}:alt`);
    await newEnv("host-system", null);
    const [lua, alt, host] = await Promise.all([
      runTask("SHOW-SYSTEM parallel lua", "lua-image"),
      runTask("SHOW-SYSTEM parallel alt", "alt-image"),
      runTask("SHOW-SYSTEM parallel host", "host-system"),
    ]);
    for (const t of [lua, alt, host]) expect(t.status, JSON.stringify(t.attempts[0])).toBe("completed");
    const luaOut = outputOf(await h.events(lua.id));
    expect(luaOut).toContain("VARIANT_ID=cadre-lua");
    expect(luaOut).toContain("/usr/bin/lua5.4");
    expect(luaOut).toContain("SHELL=/bin/bash");
    const altOut = outputOf(await h.events(alt.id));
    expect(altOut).toContain("VARIANT_ID=cadre-alt");
    expect(altOut).toContain("NO-LUA");
    // No bash in this image: commands run under its /bin/sh.
    expect(altOut).toContain("NO-BASH");
    expect(altOut).toContain("SHELL=/bin/sh");
    expect(altOut).toContain("DOOMED-ABSENT");
    const hostOut = outputOf(await h.events(host.id));
    expect(hostOut).not.toContain("cadre-");
    expect(hostOut).toContain("NO-LUA");
    expect(host.attempts[0]?.image).toBeNull();
  });

  it("a moved tag does not change a cached setup; the next setup rebuild picks it up and says so", async () => {
    const moving = join(scratch, "moving-layout");
    const retag = (from: "lua" | "alt") =>
      spawnSync("skopeo", ["--insecure-policy", "copy", `oci:${images.layout}:${from}`, `oci:${moving}:moving`]);
    expect(retag("lua").status).toBe(0);
    // One environment keeps its setup for hours, the other rebuilds it for every task.
    await newEnv("pinned", `oci:${moving}:moving`);
    await newEnv("rebuilt", `oci:${moving}:moving`, ["--setup-ttl-hours", "0"]);
    const firstPinned = await runTask("SHOW-SYSTEM pinned 1", "pinned");
    const firstRebuilt = await runTask("SHOW-SYSTEM rebuilt 1", "rebuilt");
    const luaDigest = firstPinned.attempts[0]?.image?.digest;
    expect(luaDigest).toMatch(/^sha256:/);
    expect(firstRebuilt.attempts[0]?.image?.digest).toBe(luaDigest);
    expect(retag("alt").status).toBe(0);

    const secondPinned = await runTask("SHOW-SYSTEM pinned 2", "pinned");
    expect(secondPinned.attempts[0]?.image?.digest).toBe(luaDigest);
    expect(outputOf(await h.events(secondPinned.id))).toContain("VARIANT_ID=cadre-lua");

    const secondRebuilt = await runTask("SHOW-SYSTEM rebuilt 2", "rebuilt");
    const altDigest = secondRebuilt.attempts[0]?.image?.digest;
    expect(altDigest).toMatch(/^sha256:/);
    expect(altDigest).not.toBe(luaDigest);
    const events = await h.events(secondRebuilt.id);
    expect(outputOf(events)).toContain("VARIANT_ID=cadre-alt");
    expect(setupLogOf(events)).toContain(
      `image oci:${moving}:moving moved from ${luaDigest ?? "?"} to ${altDigest ?? "?"}: this setup rebuild uses the new one`,
    );
  });

  it("cadre runners shows the disk the unpacked images take", async () => {
    let runners: Runner[] = [];
    for (let i = 0; i < 60; i++) {
      runners = await h.json<Runner[]>(["runners"]);
      if ((runners[0]?.imageBytes ?? 0) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(runners[0]?.imageBytes).toBeGreaterThan(50_000_000);
    expect((await h.cli(["runners"])).stdout).toMatch(/images \d+\.\d MB/);
  });
});
