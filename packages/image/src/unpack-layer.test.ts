import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tarOf } from "./test-support.ts";
import { unpackLayer } from "./unpack-layer.ts";

const sha256 = (bytes: Buffer): string => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

describe("unpackLayer", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "cadre-unpack-test-"));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  async function attempt(tar: Buffer, overrides: { digest?: string; diffId?: string } = {}) {
    const blobPath = join(dir, `blob-${Math.random()}`);
    await writeFile(blobPath, tar);
    const target = await mkdtemp(join(dir, "layer-"));
    return unpackLayer({
      blobPath,
      digest: overrides.digest ?? sha256(tar),
      size: tar.length,
      compression: "none",
      diffId: overrides.diffId ?? sha256(tar),
      dir: target,
      lowers: [],
    }).then(
      async (result) => ({ result, files: await readdir(join(target, "root")) }),
      (error: Error) => ({ error }),
    );
  }

  it("checks the blob against its digest and the tar against its diff_id", async () => {
    const tar = tarOf([{ path: "a", data: "content" }]);
    const wrong = `sha256:${"0".repeat(64)}`;
    const badDigest = await attempt(tar, { digest: wrong });
    expect("error" in badDigest && badDigest.error.message).toMatch(/is corrupt: its content hashes to sha256:/);
    const badDiff = await attempt(tar, { diffId: wrong });
    expect("error" in badDiff && badDiff.error.message).toMatch(/not the diff_id/);
    const good = await attempt(tar);
    expect("files" in good && good.files).toEqual(["a"]);
  });

  it("refuses entries that climb out of the root, and writes nothing through a link", async () => {
    const climbing = await attempt(tarOf([{ path: "../escape", data: "x" }]));
    expect("error" in climbing && climbing.error.message).toMatch(/climbs out of the root/);
    // A link to the host's /tmp, then a file "through" it: lands inside the layer (the link resolves in the image).
    const outside = await mkdtemp(join(dir, "host-"));
    const through = await attempt(
      tarOf([
        { path: "up", type: "SymbolicLink", linkpath: outside },
        { path: "up/planted", data: "must not reach the host" },
      ]),
    );
    expect(await readdir(outside)).toEqual([]);
    expect("files" in through && through.files.sort()).toEqual(["tmp", "up"].sort());
  });
});
