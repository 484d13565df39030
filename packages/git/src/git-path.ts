/**
 * A path as git stores it: any bytes but NUL. A string is its UTF-8 encoding; a Buffer carries
 * names that are not valid UTF-8 byte for byte.
 */
export type GitPath = string | Buffer;

export function gitPathBytes(path: GitPath): Buffer {
  return typeof path === "string" ? Buffer.from(path, "utf8") : path;
}

/** The path as text for messages (invalid UTF-8 shows as U+FFFD). */
export function displayPath(path: GitPath): string {
  return typeof path === "string" ? path : path.toString("utf8");
}

/** A string when the bytes are valid UTF-8 (round-trip exact), else the bytes themselves. */
export function toGitPath(bytes: Buffer): GitPath {
  const text = bytes.toString("utf8");
  return Buffer.from(text, "utf8").equals(bytes) ? text : bytes;
}

/** Joins path segments with '/', bytes kept as they are. */
export function joinGitPath(parent: GitPath, name: GitPath): GitPath {
  const head = gitPathBytes(parent);
  if (head.length === 0) return name;
  return toGitPath(Buffer.concat([head, Buffer.from("/"), gitPathBytes(name)]));
}

const ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: "\\\\", 0x0a: "\\n", 0x09: "\\t", 0x0d: "\\r" };

/**
 * C-style quoting as git unquotes it on `--stdin-paths` lines that start with '"': every byte
 * outside printable ASCII becomes an octal escape, so line breaks and any other byte survive.
 */
export function cQuote(bytes: Buffer): string {
  let out = '"';
  for (const byte of bytes) {
    const escape = ESCAPES[byte];
    if (escape) out += escape;
    else if (byte < 0x20 || byte > 0x7e) out += `\\${byte.toString(8).padStart(3, "0")}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}
