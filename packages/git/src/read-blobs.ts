import { CadreError } from "@cadre/protocol";
import { runGitIn } from "./git-dir.ts";
import { isFullObjectId } from "./safety.ts";

/** The contents of blobs, in the order asked, read by one `cat-file --batch`. */
export async function readBlobs(gitDir: string, oids: string[]): Promise<Buffer[]> {
  if (oids.length === 0) return [];
  for (const oid of oids) if (!isFullObjectId(oid)) throw new CadreError("internal", `readBlobs: bad object id ${oid}`);
  const res = await runGitIn(gitDir, ["cat-file", "--batch"], { input: `${oids.join("\n")}\n` });
  const out = res.stdout;
  const blobs: Buffer[] = [];
  let at = 0;
  for (const oid of oids) {
    const lineEnd = out.indexOf(0x0a, at);
    const header = lineEnd === -1 ? "" : out.subarray(at, lineEnd).toString("latin1");
    const match = /^([0-9a-f]+) blob (\d+)$/.exec(header);
    if (!match || match[1] !== oid)
      throw new CadreError("git_failed", `object ${oid} is missing from the repository or is not a file`);
    const size = Number(match[2]);
    blobs.push(out.subarray(lineEnd + 1, lineEnd + 1 + size));
    at = lineEnd + 1 + size + 1;
  }
  return blobs;
}
