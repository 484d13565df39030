import { ImageContentError } from "./image-error.ts";
import { spawn } from "node:child_process";
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Duplex, PassThrough, pipeline, Transform } from "node:stream";
import { once } from "node:events";
import { createGunzip } from "node:zlib";
import { Parser, type ReadEntry } from "tar";
import { LayerEntryWriter, type EntryCounts } from "./layer-entry-writer.ts";
import type { LowerLayer } from "./layer-view.ts";
import type { LayerCompression } from "./oci-schemas.ts";

export interface UnpackLayerInput {
  blobPath: string;
  /** The blob's digest from the manifest: the sha256 of the bytes on disk must equal it. */
  digest: string;
  size: number;
  compression: LayerCompression;
  /** The layer's diff_id from the image config: the sha256 of the uncompressed tar. */
  diffId: string;
  /** A fresh directory: the layer's files go to `<dir>/root`, its opaque directories to `<dir>/opaque.json`. */
  dir: string;
  lowers: LowerLayer[];
  onBytes?: (compressedBytes: number) => void;
}

export interface UnpackLayerResult extends EntryCounts {
  opaque: string[];
  whiteouts: number;
}

function hashOf(digest: string): Hash {
  return createHash(digest.startsWith("sha512:") ? "sha512" : "sha256");
}

function tap(hash: Hash, count?: (bytes: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      count?.(chunk.length);
      done(null, chunk);
    },
  });
}

function decompressor(compression: LayerCompression): Duplex {
  if (compression === "gzip") return createGunzip();
  if (compression === "none") return new PassThrough();
  // Node 20's zlib has no zstd; Debian's zstd does it in a child process.
  const child = spawn("zstd", ["-dcq"], { stdio: ["pipe", "pipe", "ignore"] });
  return Duplex.from({ writable: child.stdin, readable: child.stdout });
}

/**
 * Unpacks one layer blob, checking both digests on the way: the compressed bytes against the
 * manifest's digest and the tar against the config's diff_id. Throws on a mismatch (the caller
 * discards `dir`, which was never renamed into place).
 */
export async function unpackLayer(input: UnpackLayerInput): Promise<UnpackLayerResult> {
  const root = join(input.dir, "root");
  await mkdir(root, { recursive: true, mode: 0o755 });
  const writer = new LayerEntryWriter(root, input.lowers);
  const blobHash = hashOf(input.digest);
  const tarHash = hashOf(input.diffId);
  let blobBytes = 0;
  let streamError: Error | null = null;
  const aborted = new AbortController();
  const source = pipeline(
    createReadStream(input.blobPath),
    tap(blobHash, (bytes) => {
      blobBytes += bytes;
      input.onBytes?.(blobBytes);
    }),
    decompressor(input.compression),
    tap(tarHash),
    (error) => {
      if (error) streamError = error;
    },
  );
  const parser = new Parser({ strict: true });
  let chain: Promise<void> = Promise.resolve();
  let entryError: Error | null = null;
  parser.on("entry", (entry: ReadEntry) => {
    chain = chain.then(async () => {
      if (entryError) return entry.resume();
      try {
        await writer.write(entry);
      } catch (error) {
        entryError = new ImageContentError(`${entry.path}: ${(error as Error).message}`);
        entry.resume();
        aborted.abort();
      }
    });
  });
  parser.on("error", (error: Error) => {
    entryError ??= error;
    aborted.abort();
  });
  const parsed = once(parser, "end").catch(() => undefined);
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (entryError) break;
      if (!parser.write(chunk)) await once(parser, "drain", { signal: aborted.signal }).catch(() => undefined);
    }
  } catch (error) {
    streamError ??= error as Error;
  }
  if (!entryError && !streamError) {
    parser.end();
    await parsed;
  }
  await chain;
  if (streamError)
    throw new ImageContentError(
      `layer blob ${input.digest} could not be read (${(streamError as Error).message}): it is corrupt or truncated`,
    );
  if (entryError) throw entryError;
  const blobDigest = `${input.digest.split(":")[0]}:${blobHash.digest("hex")}`;
  if (blobDigest !== input.digest || blobBytes !== input.size)
    throw new ImageContentError(
      `layer blob ${input.digest} is corrupt: its content hashes to ${blobDigest} (${blobBytes} bytes, expected ${input.size})`,
    );
  const tarDigest = `${input.diffId.split(":")[0]}:${tarHash.digest("hex")}`;
  if (tarDigest !== input.diffId)
    throw new ImageContentError(
      `layer ${input.digest} unpacks to ${tarDigest}, not the diff_id ${input.diffId} the image config names`,
    );
  await finishLayer(root, writer);
  const opaque = [...writer.view.opaque].sort();
  await writeFile(join(input.dir, "opaque.json"), JSON.stringify(opaque));
  return { ...writer.counts, opaque, whiteouts: writer.view.whiteouts.size };
}

/** Writes the pending whiteouts and opaque markers overlayfs reads, then the directories' own modes. */
async function finishLayer(root: string, writer: LayerEntryWriter): Promise<void> {
  const whiteouts = [...writer.view.whiteouts].map((key) => join(root, ...key.split("/")));
  const opaque = [...writer.view.opaque].map((key) => join(root, ...key.split("/")));
  // Whiteouts are 0/0 character devices; unprivileged users may make those (Linux >= 5.8).
  for (const batch of batches(whiteouts))
    await runTool("sh", ["-c", 'for p; do mknod -- "$p" c 0 0 || exit 1; done', "sh", ...batch]);
  // The sandbox mounts the overlay in a user namespace (option userxattr), which reads user.overlay.*.
  for (const batch of batches(opaque))
    await runTool("setfattr", ["-n", "user.overlay.opaque", "-v", "y", "--", ...batch]);
  const deepestFirst = [...writer.directoryModes].sort((a, b) => b[0].length - a[0].length);
  for (const [path, mode] of deepestFirst) await chmod(path, mode & 0o1777);
}

function batches(paths: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < paths.length; i += 200) out.push(paths.slice(i, i + 200));
  return out;
}

function runTool(program: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", (error) =>
      reject(
        new ImageContentError(
          `could not run ${program}: ${error.message}${program === "setfattr" ? " (apt-get install attr)" : ""}`,
        ),
      ),
    );
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new ImageContentError(`${program} failed: ${stderr.trim()}`)),
    );
  });
}
