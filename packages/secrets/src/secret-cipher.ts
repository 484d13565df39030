import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { CadreError } from "@cadre/protocol";

/** AES-256-GCM with a random IV; format `v1:<b64 iv>:<b64 tag>:<b64 ciphertext>`. */
export function encryptSecret(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `v1:${iv.toString("base64")}:${cipher.getAuthTag().toString("base64")}:${ct.toString("base64")}`;
}

export function decryptSecret(key: Buffer, blob: string): string {
  const parts = blob.split(":");
  if (parts.length !== 4 || parts[0] !== "v1")
    throw new CadreError("internal", "unknown secret format (expected v1:iv:tag:ciphertext)");
  const [, iv, tag, ct] = parts as [string, string, string, string];
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"));
  decipher.setAuthTag(Buffer.from(tag, "base64"));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ct, "base64")), decipher.final()]).toString("utf8");
  } catch {
    throw new CadreError(
      "not_configured",
      "could not decrypt a secret: the secret key changed or the value was tampered with; set the secret again",
    );
  }
}
