import { useState } from "react";
import { copyText, downloadText } from "../lib/download.ts";
import { Modal } from "./modal.tsx";

/** The accepted hunks as a patch: download or copy it, with the commands that apply it locally. */
/**
 * `wholeFiles` lists the accepted files when every file is taken whole or not at all (then
 * `cadre apply --file` can do it); null when some file is taken in part.
 */
export function PatchExport({
  taskId,
  attemptIndex,
  patch,
  accepted,
  total,
  wholeFiles,
  onClose,
}: {
  taskId: string;
  attemptIndex: number;
  patch: string;
  accepted: number;
  total: number;
  wholeFiles: string[] | null;
  onClose: () => void;
}) {
  const file = `cadre-${taskId}.patch`;
  const apply = `cadre apply ${taskId} --attempt ${attemptIndex}`;
  const quote = (p: string) => (/^[\w./@+-]+$/.test(p) ? p : `'${p.replace(/'/g, "'\\''")}'`);
  const commands = [
    ...(accepted === total
      ? [apply]
      : wholeFiles && wholeFiles.length <= 20
        ? [`${apply} ${wholeFiles.map((f) => `--file ${quote(f)}`).join(" ")}`]
        : []),
    `git apply --3way ${file}`,
  ];
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async (what: string, text: string) => {
    if (await copyText(text)) {
      setCopied(what);
      setTimeout(() => setCopied(null), 1500);
    }
  };
  return (
    <Modal title="Pull the change" onClose={onClose} wide>
      <p>
        {accepted === 0 ? (
          "No hunk is accepted: accept at least one to build a patch."
        ) : (
          <>
            The patch holds{" "}
            <strong>
              {accepted} of {total}
            </strong>{" "}
            hunk{total === 1 ? "" : "s"}.
          </>
        )}{" "}
        Download it into your working tree, then apply it:
      </p>
      {commands.map((c) => (
        <div key={c} className="copy-line">
          <code>{c}</code>
          <button className="btn btn-sm" onClick={() => void copy(c, c)} aria-label={`Copy command ${c}`}>
            {copied === c ? "Copied" : "Copy"}
          </button>
        </div>
      ))}
      <p className="muted small">
        <code>git apply --3way</code> applies the downloaded patch in your working tree. To pick hunks in a terminal
        instead, run <code>{apply} --interactive</code>; in VS Code, open the task with the Cadre extension.
      </p>
      <div className="form-actions">
        <button className="btn" disabled={!patch} onClick={() => void copy("patch", patch)}>
          {copied === "patch" ? "Patch copied" : "Copy patch"}
        </button>
        <button className="btn btn-primary" disabled={!patch} onClick={() => downloadText(file, patch)}>
          Download {file}
        </button>
      </div>
      <details className="patch-preview">
        <summary>Preview the patch ({patch.split("\n").length - 1} lines)</summary>
        <pre className="pre-block" aria-label="Patch preview">
          {patch.length > 200_000 ? `${patch.slice(0, 200_000)}\n… (preview cut; the download has it all)` : patch}
        </pre>
      </details>
    </Modal>
  );
}
