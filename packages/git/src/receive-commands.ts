import { gunzipSync } from "node:zlib";
import { CadreError } from "@cadre/protocol";

/** One ref update a push asks for (git's receive-pack command). */
export interface ReceiveCommand {
  oldId: string;
  newId: string;
  ref: string;
}

const ZERO_ID = /^0+$/;
const OBJECT_ID = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

function malformed(why: string): CadreError {
  return new CadreError("bad_request", `malformed push request: ${why}`);
}

/** Whether the command deletes its ref (its new id is all zeros). */
export function deletesRef(command: ReceiveCommand): boolean {
  return ZERO_ID.test(command.newId);
}

/**
 * The ref updates at the head of a smart-HTTP `git-receive-pack` request body (pkt-lines up to the
 * first flush, then the pack), read before the request reaches git so a server can decide which
 * refs a pusher may write. Shallow lines are skipped; push certificates are refused.
 */
export function readReceiveCommands(body: Buffer, contentEncoding = ""): ReceiveCommand[] {
  const data = /gzip/i.test(contentEncoding) ? gunzipSync(body) : body;
  const commands: ReceiveCommand[] = [];
  let offset = 0;
  for (;;) {
    if (offset + 4 > data.length) throw malformed("it ends before the command list's flush packet");
    const lengthText = data.subarray(offset, offset + 4).toString("latin1");
    if (!/^[0-9a-f]{4}$/.test(lengthText)) throw malformed("a packet length is not hexadecimal");
    const length = parseInt(lengthText, 16);
    if (length === 0) return commands;
    if (length < 4 || offset + length > data.length) throw malformed("a packet runs past the end of the body");
    let line = data.subarray(offset + 4, offset + length).toString("latin1");
    offset += length;
    const nul = line.indexOf("\0");
    if (nul >= 0) line = line.slice(0, nul);
    line = line.replace(/\n$/, "");
    if (line.startsWith("shallow ")) continue;
    if (line.startsWith("push-cert")) throw malformed("signed pushes are not accepted");
    const [oldId, newId, ref, ...rest] = line.split(" ");
    if (!oldId || !newId || !ref || rest.length > 0 || !OBJECT_ID.test(oldId) || !OBJECT_ID.test(newId))
      throw malformed(`a command is not '<old> <new> <ref>' (${JSON.stringify(line.slice(0, 120))})`);
    commands.push({ oldId, newId, ref });
  }
}
