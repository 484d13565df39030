import { gitPathBytes, type GitPath } from "@cadre/git";

/**
 * Host paths built from workspace-relative paths as bytes, so names that are not UTF-8 reach
 * the filesystem exactly as the sandbox wrote them (Node's string paths would mangle them).
 */
export function hostPathOf(root: string, rel: GitPath): Buffer {
  const bytes = gitPathBytes(rel);
  const head = Buffer.from(root, "utf8");
  return bytes.length === 0 ? head : Buffer.concat([head, Buffer.from("/"), bytes]);
}

/** The components of a relative path, as bytes. */
export function pathComponents(rel: GitPath): Buffer[] {
  const bytes = gitPathBytes(rel);
  const parts: Buffer[] = [];
  let start = 0;
  for (let at = 0; at <= bytes.length; at++) {
    if (at === bytes.length || bytes[at] === 0x2f) {
      if (at > start) parts.push(bytes.subarray(start, at));
      start = at + 1;
    }
  }
  return parts;
}

/** Joins byte components with '/'. */
export function joinComponents(parts: Buffer[]): Buffer {
  const out: Buffer[] = [];
  parts.forEach((part, i) => {
    if (i > 0) out.push(Buffer.from("/"));
    out.push(part);
  });
  return Buffer.concat(out);
}
