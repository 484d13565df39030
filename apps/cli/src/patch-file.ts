import { readFile } from "node:fs/promises";
import { CadreError } from "@cadre/protocol";

/** A patch given with --patch FILE (e.g. the hunks chosen in the web app, or `cadre diff` output cut down). */
export async function readPatchFile(path: string): Promise<string> {
  return readFile(path, "utf8").catch((error: Error) => {
    throw new CadreError("bad_request", `cannot read the patch file ${path}: ${error.message}`);
  });
}
