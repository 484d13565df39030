import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Event, TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../../support/cadre-harness.ts";
import { promptOf, shellStep, turnStep } from "../../support/script-helpers.ts";
import { parseProbes, probeScript, proxyVariables } from "./network-probe-script.ts";
import { reachable, startHostTargets, type HostTarget, type HostTargets } from "./network-targets.ts";

const PHASES = ["setup", "off", "allowlist", "on"] as const;
type Phase = (typeof PHASES)[number];

const PROXY_VARIABLES = [
  "ALL_PROXY",
  "HTTPS_PROXY",
  "HTTP_PROXY",
  "NO_PROXY",
  "all_proxy",
  "http_proxy",
  "https_proxy",
  "no_proxy",
];

export interface NetworkMatrixOptions {
  /** An environment image to run every phase on (its root has bash but neither python3 nor curl). */
  image?: () => Promise<string>;
}

function outputOf(events: Event[], type: "setup_output" | "command_output"): string {
  return events.map((e) => (e.type === type ? e.chunk : "")).join("");
}

/**
 * The attack matrix of issue 11 hole 2: every host service a sandbox could aim at × every phase
 * (setup, agent with policy off / allowlist / on). Nothing of the host is reachable directly in any
 * phase; through the proxy only the host the environment lists explicitly answers.
 */
export function describeNetworkMatrix(title: string, options: NetworkMatrixOptions = {}): void {
  const bashOnly = options.image !== undefined;
  let world: HostTargets;
  const script = (ctx: ScriptContext): Step => {
    if (promptOf(ctx).includes("AGENT-PROBE") && turnStep(ctx) === 0)
      return shellStep(probeScript(world, { bashOnly }));
    return { text: "done" };
  };
  describe(title, () => {
    let h: Harness;
    const outputs = new Map<Phase, string>();

    beforeAll(async () => {
      const image = options.image ? ["--image", await options.image()] : [];
      h = await startHarness({ script });
      const cadrePort = Number(new URL(h.server.url).port);
      const extra: HostTarget[] = [
        { name: "cadre-server", host: "127.0.0.1", port: cadrePort, connections: () => null },
      ];
      if (await reachable("127.0.0.1", 5432))
        extra.push({ name: "postgresql", host: "127.0.0.1", port: 5432, connections: () => null });
      // Nothing listens there on these machines; the proxy's 403 (not a failed connect) is what shows
      // the address is refused before any connection is tried.
      extra.push({ name: "cloud-metadata", host: "169.254.169.254", port: 80, connections: () => null });
      world = await startHostTargets(extra);
      const allow = world.allowed ? ["--allow", `${world.allowed.host}:${world.allowed.port}`] : [];
      for (const phase of PHASES) {
        const policy = phase === "setup" ? "off" : phase;
        const setup = phase === "setup" ? ["--setup", probeScript(world, { bashOnly })] : [];
        const allowFlags = phase === "off" ? [] : allow;
        const created = await h.cli([
          "env",
          "create",
          `net-${phase}`,
          "--repo",
          "calc",
          "--network",
          policy,
          ...allowFlags,
          ...setup,
          ...image,
        ]);
        expect(created.code, created.stderr).toBe(0);
        const prompt = phase === "setup" ? "look around" : `AGENT-PROBE ${phase}`;
        const task = await h.json<TaskWithAttempts>([
          "task",
          "new",
          prompt,
          "--repo",
          "calc",
          "--env",
          `net-${phase}`,
          "--wait",
        ]);
        expect(task.status).toBe("completed");
        const events = await h.events(task.id);
        outputs.set(phase, outputOf(events, phase === "setup" ? "setup_output" : "command_output"));
      }
      // Four tasks (and with an image its first pull and unpack) on a machine shared with other suites.
    }, 900_000);
    afterAll(async () => {
      await world?.close();
      await h?.stop();
    });

    for (const phase of PHASES) {
      describe(`phase ${phase}`, () => {
        const results = (): Map<string, string> => parseProbes(outputs.get(phase) ?? "");

        it("ran every probe", () => {
          expect(outputs.get(phase)).toContain("PROBES-DONE");
        });

        it(bashOnly ? "ran on the image's root" : "ran on the host's system", () => {
          expect(outputs.get(phase)).toMatch(bashOnly ? /^PROBE-ROOT cadre-lua$/m : /^PROBE-ROOT host$/m);
        });

        it("reaches no host service directly (loopback v4/v6, 127.0.0.2, LAN, Cadre, PostgreSQL, metadata)", () => {
          for (const target of world.targets)
            expect(results().get(`${target.name} direct`), target.name).toBe("closed");
        });

        it.skipIf(bashOnly)("cannot connect to an abstract Unix socket of the host", () => {
          expect(results().get("abstract direct")).toBe("closed");
        });

        it(phase === "off" ? "has no proxy at all" : "is refused by the proxy for every host service (403)", () => {
          for (const target of world.targets)
            expect(results().get(`${target.name} proxy`), target.name).toBe(phase === "off" ? "none" : "403");
        });

        it(
          phase === "off"
            ? "cannot reach the explicitly allowed host"
            : "reaches the explicitly allowed host through the proxy",
          () => {
            if (!world.allowed) return;
            expect(results().get("allowed fetch")).toBe(phase === "off" ? "failed" : "ok");
          },
        );

        it(phase === "off" ? "sets no proxy variables" : "sets the proxy variables in both cases", () => {
          expect(proxyVariables(outputs.get(phase) ?? "")).toEqual(phase === "off" ? [] : PROXY_VARIABLES);
        });
      });
    }

    it("no host service saw a connection (only the allowed host did)", () => {
      for (const target of world.targets) {
        const count = target.connections();
        if (count !== null) expect(count, target.name).toBe(0);
      }
      expect(world.abstractConnections()).toBe(0);
      if (world.allowed) expect(world.allowed.requests()).toBe(3);
    });
  });
}
