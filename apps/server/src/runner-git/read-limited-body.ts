import { CadreError } from "@cadre/protocol";

/** The whole request body, refused with 413 past `limit` bytes (read as it arrives, never all at once first). */
export async function readLimitedBody(request: Request, limit: number): Promise<Buffer> {
  if (!request.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > limit)
      throw new CadreError(
        "payload_too_large",
        `the git request is over ${limit} bytes: raise CADRE_MAX_PUSH_BYTES on the server if checkpoints are that large`,
      );
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
