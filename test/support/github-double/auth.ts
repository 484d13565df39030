import { createVerify, randomBytes } from "node:crypto";
import type { Actor, DoubleState } from "./state.ts";

export type AuthResult = { ok: true; actor: Actor } | { ok: false; status: 401; message: string };

function base64urlJson(part: string): unknown {
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
}

/**
 * Checks an app JWT the way GitHub does: RS256 signed by the app's private key, `iss` the app id,
 * `iat` not in the future (60 s of skew allowed) and `exp` at most ten minutes after `iat`.
 */
export function verifyAppJwt(state: DoubleState, jwt: string): AuthResult {
  const app = state.app;
  const parts = jwt.split(".");
  if (!app || parts.length !== 3) return { ok: false, status: 401, message: "A JSON web token could not be decoded" };
  const [header, payload, signature] = parts as [string, string, string];
  const verifier = createVerify("RSA-SHA256");
  verifier.update(`${header}.${payload}`);
  if (
    (base64urlJson(header) as { alg?: string }).alg !== "RS256" ||
    !verifier.verify(app.publicKeyPem, signature, "base64url")
  )
    return { ok: false, status: 401, message: "A JSON web token could not be decoded" };
  const claims = base64urlJson(payload) as { iss?: string | number; iat?: number; exp?: number };
  const nowSeconds = Math.floor(Date.now() / 1000);
  if (String(claims.iss) !== String(app.id))
    return { ok: false, status: 401, message: "'Issuer' claim ('iss') must be an Integer" };
  if (typeof claims.iat !== "number" || claims.iat > nowSeconds + 60)
    return {
      ok: false,
      status: 401,
      message: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    };
  if (typeof claims.exp !== "number" || claims.exp - claims.iat > 600 || claims.exp < nowSeconds)
    return { ok: false, status: 401, message: "'Expiration time' claim ('exp') is too far in the future" };
  return { ok: true, actor: { kind: "app", appId: app.id } };
}

/** Who an `Authorization` header authenticates: a user's token, an installation token or an app JWT. */
export function authenticate(state: DoubleState, header: string | undefined): AuthResult | null {
  if (!header) return null;
  const m = /^(token|bearer)\s+(\S+)$/i.exec(header.trim());
  if (!m) return { ok: false, status: 401, message: "Bad credentials" };
  const credential = m[2] as string;
  if (credential.split(".").length === 3) return verifyAppJwt(state, credential);
  return tokenActor(state, credential);
}

/** The actor of a user or installation token, refusing unknown, revoked and expired ones. */
export function tokenActor(state: DoubleState, token: string): AuthResult {
  const owner = state.tokens.get(token);
  if (!owner) return { ok: false, status: 401, message: "Bad credentials" };
  if (owner.kind === "user") return { ok: true, actor: { kind: "user", login: owner.login } };
  if (owner.revoked || owner.expiresAt <= Date.now()) return { ok: false, status: 401, message: "Bad credentials" };
  const slug = state.app?.slug ?? "app";
  return { ok: true, actor: { kind: "installation", login: `${slug}[bot]`, installationId: owner.installationId } };
}

/** The token of HTTP Basic credentials on a git request (`x-access-token:<token>`, or any user name). */
export function basicToken(header: string | undefined): string | null {
  const m = /^basic\s+(\S+)$/i.exec(header?.trim() ?? "");
  if (!m) return null;
  const decoded = Buffer.from(m[1] as string, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? null : decoded.slice(colon + 1);
}

export function mintToken(prefix: "ghp" | "ghs"): string {
  return `${prefix}_${randomBytes(18).toString("base64url")}`;
}
