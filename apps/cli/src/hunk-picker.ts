import { isWholeUnit, patchFilePath, type PatchFile, type PatchSelection } from "@cadre/git";
import type { Output } from "./cli-context.ts";
import type { LineReader } from "./line-reader.ts";

const paint = (code: number, s: string, on: boolean) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

/**
 * Walks the hunks like `git add -p`: y take, n skip, a/d the rest of the file, q quit.
 * `verb` names what taking does ("Apply", "Deliver").
 */
export async function chooseHunks(
  files: PatchFile[],
  o: Output,
  reader: LineReader,
  verb = "Apply",
): Promise<PatchSelection> {
  const selection: Required<PatchSelection> = { files: [], hunks: [] };
  for (const file of files) {
    const path = patchFilePath(file);
    const whole = isWholeUnit(file);
    const units = whole ? [null] : file.hunks.map((h, i) => ({ h, i }));
    let rest: "accept" | "skip" | null = null;
    for (const [n, unit] of units.entries()) {
      let answer = rest === "accept" ? "y" : rest === "skip" ? "n" : null;
      if (!answer) {
        o.out(
          paint(
            1,
            `\n${whole ? `${file.status} ${file.binary ? "binary " : ""}file ${path}` : `${path} (hunk ${n + 1}/${units.length})`}`,
            o.isTTY,
          ),
        );
        if (unit)
          o.out(
            unit.h.header +
              "\n" +
              unit.h.lines
                .map((l) =>
                  paint(l.startsWith("+") ? 32 : l.startsWith("-") ? 31 : 0, l, o.isTTY && !l.startsWith(" ")),
                )
                .join("\n"),
          );
        for (;;) {
          o.out(`${verb} ${whole ? "this file" : "this hunk"} [y,n,a,d,q,?]? `);
          const line = await reader.next();
          answer = (line ?? "q").trim().toLowerCase().slice(0, 1) || "?";
          if ("ynadq".includes(answer)) break;
          o.out(
            `y - ${verb.toLowerCase()}\nn - skip\na - ${verb.toLowerCase()} this and the rest of the file\nd - skip this and the rest of the file\nq - stop here (nothing after is taken)`,
          );
        }
      }
      if (answer === "q") return selection;
      if (answer === "a") rest = "accept";
      if (answer === "d") rest = "skip";
      if (answer === "y" || answer === "a") {
        if (unit) selection.hunks.push({ path, index: unit.i });
        else selection.files.push(path);
      }
    }
  }
  return selection;
}
