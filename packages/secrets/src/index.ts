export { loadOrCreateSecretKey } from "./secret-key.ts";
export { encryptSecret, decryptSecret } from "./secret-cipher.ts";
export { createRedactor, StreamRedactor } from "./redaction.ts";
