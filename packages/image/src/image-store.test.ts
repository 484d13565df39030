import { mkdir, mkdtemp, readdir, rm, writeFile, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImageStore } from "./image-store.ts";
import { buildLayout, inOverlay, tarOf } from "./test-support.ts";

const BASE = tarOf([
  { path: "usr/", type: "Directory" },
  { path: "usr/bin/", type: "Directory" },
  { path: "usr/lib/", type: "Directory" },
  { path: "bin", type: "SymbolicLink", linkpath: "usr/bin" },
  { path: "lib", type: "SymbolicLink", linkpath: "/usr/lib" },
  { path: "usr/bin/hello", data: "#!/bin/sh\necho hello\n", mode: 0o755 },
  { path: "usr/bin/hello-link", type: "Link", linkpath: "usr/bin/hello" },
  { path: "usr/bin/su", data: "pretend setuid root", mode: 0o4755 },
  { path: "etc/", type: "Directory" },
  { path: "etc/os-release", data: 'ID=cadre-test\nPRETTY_NAME="Cadre test image"\n' },
  { path: "etc/removed", data: "the next layer deletes me\n" },
  { path: "etc/hello", type: "SymbolicLink", linkpath: "/usr/bin/hello" },
  { path: "etc/relative", type: "SymbolicLink", linkpath: "../usr/bin/hello" },
  { path: "dev/", type: "Directory" },
  { path: "dev/null", type: "CharacterDevice", mode: 0o666 },
  { path: "opaque/", type: "Directory" },
  { path: "opaque/old-a", data: "a" },
  { path: "opaque/old-b", data: "b" },
  { path: "locked/", type: "Directory", mode: 0o555 },
  { path: "locked/inside", data: "written before the directory became read-only" },
]);

// Paths only, no directory entries: `bin/tool` must land in usr/bin through the lower layer's link.
const TOP = tarOf([
  { path: "etc/.wh.removed" },
  { path: "opaque/.wh..wh..opq" },
  { path: "opaque/new", data: "only me" },
  { path: "bin/tool", data: "#!/bin/sh\necho tool\n", mode: 0o755 },
  { path: "lib/libnew.so", data: "library" },
  { path: "usr/bin/hello-copy", type: "Link", linkpath: "usr/bin/hello" },
]);

describe("ImageStore", () => {
  let dir: string;
  let store: ImageStore;
  let layout: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "cadre-image-test-"));
    layout = join(dir, "layout");
    await buildLayout(layout, "v1", [BASE, TOP]);
    store = new ImageStore(join(dir, "store"));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("unpacks each layer once, verified, and the overlay shows what a container runtime would", async () => {
    const progress: string[] = [];
    const image = await store.resolve(`oci:${layout}:v1`, { onProgress: (line) => progress.push(line) });
    expect(image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(image.layers).toHaveLength(2);
    expect(progress.join("\n")).toMatch(/layer 1\/2 .*unpacked, \d+ files/);
    expect(progress.join("\n")).toContain("setuid/setgid removed from 1 files");
    expect(progress.join("\n")).toContain("1 device nodes not created");
    const mountPoint = join(dir, "merged");
    await mkdir(mountPoint);
    const out = inOverlay(
      image.layers,
      mountPoint,
      `cd "$1" && cat etc/os-release && ls -A opaque && ls usr/bin && readlink bin lib etc/hello etc/relative && ` +
        `test ! -e etc/removed && echo removed-gone && test ! -e dev/null && echo no-device && ` +
        `stat -c '%a %n' usr/bin/su locked && cat locked/inside usr/lib/libnew.so && echo && cat usr/bin/hello-copy`,
    );
    expect(out).toContain("ID=cadre-test");
    expect(out).toContain("removed-gone");
    expect(out).toContain("no-device");
    const lines = out.split("\n");
    const opaqueAt = lines.indexOf("new");
    expect(opaqueAt).toBeGreaterThan(0);
    expect(out).not.toContain("old-a");
    expect(out).toMatch(/\nhello\nhello-copy\nhello-link\nsu\ntool\n/);
    expect(out).toContain("usr/bin\n/usr/lib\n/usr/bin/hello\n../usr/bin/hello\n");
    expect(out).toContain("755 usr/bin/su");
    expect(out).toContain("555 locked");
    expect(out).toContain("librar");
    expect(out).toContain("echo hello");
  });

  it("reuses unpacked layers and records by digest; a second tag of the same layers unpacks nothing", async () => {
    const first = await store.resolve(`oci:${layout}:v1`);
    const progress: string[] = [];
    const again = await store.resolve(`oci:${layout}:v1`, { onProgress: (line) => progress.push(line) });
    expect(again.digest).toBe(first.digest);
    expect(progress.join("\n")).toContain("already unpacked");
    expect(progress.join("\n")).not.toContain("pulling");
    expect(await readdir(join(dir, "store", "tmp"))).toEqual([]);
  });

  it("a corrupted layer blob is refused naming the image, and nothing is kept", async () => {
    const broken = join(dir, "broken");
    await buildLayout(broken, "v1", [tarOf([{ path: "only-here", data: "x".repeat(4096) }])]);
    const index = JSON.parse(await readFile(join(broken, "index.json"), "utf8")) as { manifests: { digest: string }[] };
    const manifestDigest = (index.manifests[0] as { digest: string }).digest.split(":")[1] as string;
    const manifest = JSON.parse(await readFile(join(broken, "blobs", "sha256", manifestDigest), "utf8")) as {
      layers: { digest: string }[];
    };
    const blob = join(
      broken,
      "blobs",
      "sha256",
      (manifest.layers[0] as { digest: string }).digest.split(":")[1] as string,
    );
    const bytes = await readFile(blob);
    bytes[bytes.length - 12] = (bytes[bytes.length - 12] as number) ^ 0xff;
    await writeFile(blob, bytes);
    const layersBefore = await readdir(join(dir, "store", "layers"));
    const failure = await store.resolve(`oci:${broken}:v1`).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toContain(`image oci:${broken}:v1:`);
    expect((failure as Error).message).toMatch(/digest|corrupt/i);
    expect(await readdir(join(dir, "store", "layers"))).toEqual(layersBefore);
    expect(await readdir(join(dir, "store", "tmp"))).toEqual([]);
  });

  it("names a missing file and an unknown tag", async () => {
    await expect(store.check(`oci:${dir}/nothing-here:v1`)).rejects.toThrow(/does not exist/);
    await expect(store.check(`oci:${layout}:v9`)).rejects.toThrow(new RegExp(`image oci:${layout}:v9: .*v9`));
    await expect(store.check("oci:relative/path")).rejects.toThrow(/absolute path/);
  });

  it("collects layers no kept image uses, and reports its disk use", async () => {
    const image = await store.resolve(`oci:${layout}:v1`);
    expect(await store.diskUsage()).toBeGreaterThan(0);
    expect(await store.gc(new Set([image.digest]), Date.now())).toEqual([]);
    // Not kept, but pulled after the cutoff: a setup may be running on it.
    expect(await store.gc(new Set(), 0)).toEqual([]);
    const deleted = await store.gc(new Set(), Date.now() + 1);
    expect(deleted.length).toBeGreaterThanOrEqual(3);
    expect(await store.load(image.digest)).toBeNull();
    expect(await readdir(join(dir, "store", "layers"))).toEqual([]);
  });
});
