import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Event, TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../../support/cadre-harness.ts";
import { promptOf, shellStep, turnStep } from "../../support/script-helpers.ts";
import { testImages, type TestImages } from "../../support/test-images.ts";
import { createLuaRepo } from "./lua-repo.ts";

/**
 * A representative set of the security suite's escape probes, run by the scripted model inside
 * an image environment: the image's root must hold the agent exactly as the host's system does.
 * Each probe prints PROBE-<name>=<outcome>; the test asserts every outcome.
 */
function probes(hostDir: string, serverPort: string): string {
  return [
    // the image's system is read-only, even where bubblewrap made mount points
    "touch /usr/bin/planted 2>/dev/null && echo PROBE-usr=written || echo PROBE-usr=refused",
    "mkdir /planted 2>/dev/null && echo PROBE-root=written || echo PROBE-root=refused",
    "echo x >> /etc/passwd 2>/dev/null && echo PROBE-passwd=written || echo PROBE-passwd=refused",
    // a link out of the workspace leads into the image, never to the host
    `ln -s ${hostDir}/target escape && (echo planted > escape) 2>/dev/null; echo PROBE-link-done`,
    `test -e ${hostDir} && echo PROBE-hostdir=visible || echo PROBE-hostdir=absent`,
    "test -e /root/.cache/cadre-test-images && echo PROBE-hostcache=visible || echo PROBE-hostcache=absent",
    // setuid binaries of the image do not escalate
    "stat -c 'PROBE-su-mode=%a' /usr/bin/su",
    "su -c id root </dev/null >/dev/null 2>&1 && echo PROBE-su=root || echo PROBE-su=refused",
    'echo "PROBE-uid=$(id -u)"',
    // no mounts, no new user namespaces with privileges
    "mount -t tmpfs none /tmp 2>/dev/null && echo PROBE-mount=mounted || echo PROBE-mount=refused",
    "unshare -r true 2>/dev/null && echo PROBE-userns=created || echo PROBE-userns=refused",
    // network policy off: not even the Cadre server on the host's loopback
    `(exec 3<>/dev/tcp/127.0.0.1/${serverPort}) 2>/dev/null && echo PROBE-server=reached || echo PROBE-server=refused`,
    // the host's devices are not there
    "test -e /dev/sda -o -e /dev/vda -o -e /dev/nvme0n1 && echo PROBE-disk=visible || echo PROBE-disk=absent",
    "grep -q cadre-test /proc/1/environ 2>/dev/null && echo PROBE-environ=leaks || echo PROBE-environ=clean",
    // pid 1 (bubblewrap's init) shows no host path of the image's layers or the Cadre home (split: the probe is on it)
    `tr '\\0' ' ' </proc/1/cmdline | grep -q "/sand""boxes/" && echo PROBE-cmdline=leaks || echo PROBE-cmdline=clean`,
    // nor do the mounts: the image's and the workspace's layers are named relative to the sandboxes' root
    `grep -q "/sand""boxes/" /proc/1/mountinfo && echo PROBE-mountinfo=leaks || echo PROBE-mountinfo=clean`,
  ].join("; ");
}

let probeCommand = "true";

function script(ctx: ScriptContext): Step {
  if (promptOf(ctx).startsWith("PROBE") && turnStep(ctx) === 0) return shellStep(probeCommand);
  return { text: "probed" };
}

describe("escape probes on an image environment", () => {
  let h: Harness;
  let images: TestImages;
  let hostDir: string;
  let scratch: string;

  beforeAll(async () => {
    images = await testImages();
    hostDir = await mkdtemp(join(tmpdir(), "cadre-probe-host-"));
    h = await startHarness({ script, fixtureRepo: false });
    // Repositories and image files live outside the Cadre home (Cadre refuses both inside it).
    scratch = await mkdtemp(join(tmpdir(), "cadre-images-e2e-"));
    await createLuaRepo(join(scratch, "lua-repo"), `oci-archive:${images.luaArchive}:lua`);
    expect((await h.cli(["repo", "add", join(scratch, "lua-repo"), "--name", "lua"])).code).toBe(0);
    probeCommand = probes(hostDir, new URL(h.server.url).port);
  }, 900_000);
  afterAll(async () => {
    await h?.stop();
    await rm(hostDir, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  });

  it("the agent on an image root reaches neither the host's files, nor root, nor the network", async () => {
    await h.json(["env", "create", "probed", "--repo", "lua", "--image", `oci:${images.layout}:lua`]);
    const run = await h.cli([
      "task",
      "new",
      "PROBE the sandbox",
      "--repo",
      "lua",
      "--env",
      "probed",
      "--wait",
      "--json",
    ]);
    const task = JSON.parse(run.stdout) as TaskWithAttempts;
    expect(task.status, JSON.stringify(task.attempts[0])).toBe("completed");
    const events = await h.events(task.id);
    const out = events.map((e: Event) => (e.type === "command_output" ? e.chunk : "")).join("");
    const outcome = (name: string): string | undefined => new RegExp(`PROBE-${name}=(\\S+)`).exec(out)?.[1];
    expect(outcome("usr")).toBe("refused");
    expect(outcome("root")).toBe("refused");
    expect(outcome("passwd")).toBe("refused");
    expect(out).toContain("PROBE-link-done");
    expect(await readdir(hostDir)).toEqual([]);
    expect(outcome("hostdir")).toBe("absent");
    expect(outcome("hostcache")).toBe("absent");
    expect(outcome("su-mode")).toBe("755");
    expect(outcome("su")).toBe("refused");
    expect(outcome("uid")).toBe("1000");
    expect(outcome("mount")).toBe("refused");
    expect(outcome("userns")).toBe("refused");
    expect(outcome("cmdline")).toBe("clean");
    expect(outcome("mountinfo")).toBe("clean");
    expect(outcome("server")).toBe("refused");
    expect(outcome("disk")).toBe("absent");
    expect(outcome("environ")).toBe("clean");
    // The image's own layers are untouched by anything the agent tried.
    const layers = join(h.home, "sandboxes", "images", "layers");
    for (const layer of await readdir(layers))
      expect(await readdir(join(layers, layer, "root")).catch(() => [])).not.toContain("planted");
  });
});
