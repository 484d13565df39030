/**
 * Image environments: time until an attempt is ready (workspace provisioned and a first command
 * run) on an image whose layers are already unpacked, next to the same on the host's root; and
 * the first pull + verified unpack of the test image against `umoci unpack --rootless` of the same
 * image (a full unpack by Debian's tool) in the same run. Run: npx tsx bench/images.ts
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DEFAULT_LIMITS } from "@cadre/protocol";
import { ImageStore } from "@cadre/image";
import { SandboxManager, type SandboxEnvironment } from "@cadre/sandbox";
import { testImages } from "../test/support/test-images.ts";
import { median, type BenchTable } from "./lib/table.ts";

const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
const round = (n: number): number => Math.round(n * 10) / 10;
const ratio = (n: number): number => Math.round(n * 100) / 100;

function smallMirror(dir: string): { mirror: string; commit: string } {
  const work = join(dir, "work");
  execFileSync("git", ["init", "-q", "-b", "main", work], { env: GIT_ENV });
  for (let i = 0; i < 200; i++) writeFileSync(join(work, `f${i}.lua`), `return ${i}\n`);
  execFileSync("git", ["add", "-A"], { cwd: work, env: GIT_ENV });
  execFileSync("git", ["-c", "user.name=b", "-c", "user.email=b@b", "commit", "-q", "-m", "bench"], {
    cwd: work,
    env: GIT_ENV,
  });
  const mirror = join(dir, "mirror.git");
  execFileSync("git", ["clone", "-q", "--bare", work, mirror], { env: GIT_ENV });
  const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: work, env: GIT_ENV }).toString().trim();
  return { mirror, commit };
}

function environment(key: string, image: string | null): SandboxEnvironment {
  return {
    key,
    setupScript: "",
    maintenanceScript: "",
    variables: {},
    secrets: {},
    networkPolicy: { mode: "off", allow: [], readOnlyMethods: false },
    limits: DEFAULT_LIMITS,
    setupTtlMs: 3600_000,
    image,
  };
}

export async function benchImages(opts: { runs?: number } = {}): Promise<BenchTable[]> {
  const runs = opts.runs ?? 9;
  const images = await testImages();
  const work = mkdtempSync(join(tmpdir(), "cadre-bench-images-"));
  try {
    const { mirror, commit } = smallMirror(work);
    const manager = new SandboxManager({ root: join(work, "sandboxes") });
    let n = 0;
    const ready = async (env: SandboxEnvironment): Promise<number> => {
      const started = performance.now();
      const ws = await manager.provision({
        attemptId: `bench-${++n}`,
        mirrorPath: mirror,
        baseCommit: commit,
        environment: env,
        readOnly: false,
      });
      const result = await ws.exec("true");
      const took = performance.now() - started;
      await ws.destroy();
      if (result.exitCode !== 0) throw new Error(`the first command failed: ${result.output}`);
      return took;
    };
    const host = environment("bench-host", null);
    const image = environment("bench-image", `oci:${images.layout}:lua`);
    // Warm both: base checkout, setup records, and the image's layers unpacked once.
    await ready(host);
    await ready(image);
    const hostTimes: number[] = [];
    const imageTimes: number[] = [];
    for (let i = 0; i < runs; i++) {
      hostTimes.push(await ready(host));
      imageTimes.push(await ready(image));
    }
    const hostMs = median(hostTimes);
    const imageMs = median(imageTimes);

    const store = new ImageStore(join(work, "fresh-store"));
    const pullStarted = performance.now();
    await store.resolve(`oci:${images.layout}:lua`);
    const cadreMs = performance.now() - pullStarted;
    const bundle = join(work, "umoci-bundle");
    const umociStarted = performance.now();
    execFileSync("umoci", ["unpack", "--rootless", "--image", `${images.layout}:lua`, bundle], { stdio: "ignore" });
    const umociMs = performance.now() - umociStarted;
    return [
      {
        title: `Attempt ready (provision + first command), image layers unpacked, median of ${runs}`,
        columns: ["root", "ms", "ratio to host root"],
        rows: [
          ["host system", round(hostMs), 1],
          ["image (Debian + lua, 2 layers)", round(imageMs), ratio(imageMs / hostMs)],
        ],
      },
      {
        title: "First pull and unpack of the test image (34 MB gzip, 100 MB unpacked)",
        columns: ["what", "ms", "ratio to umoci"],
        rows: [
          ["umoci unpack --rootless (one flat tree)", round(umociMs), 1],
          ["Cadre: skopeo copy + verified unpack per layer", round(cadreMs), ratio(cadreMs / umociMs)],
        ],
        notes: ["Cadre's time includes the copy into a temporary OCI layout and both digest checks per layer."],
      },
    ];
  } finally {
    execFileSync("chmod", ["-R", "u+rwx", work]);
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { formatTable } = await import("./lib/table.ts");
  for (const table of await benchImages()) console.log(formatTable(table));
}
