import { z } from "zod";
import { CadreError } from "./errors.ts";

/**
 * An OCI image an environment names, in the containers-transport syntax skopeo uses. A plain
 * `name:tag` means `docker://name:tag`. `devcontainer` (not a reference) means "the image the
 * repository's devcontainer.json names at the task's base commit".
 */
export type ImageReference =
  | { transport: "oci"; path: string; tag: string | null }
  | { transport: "oci-archive"; path: string; tag: string | null }
  | { transport: "docker-archive"; path: string; tag: string | null }
  | { transport: "docker"; registry: string; repository: string; tag: string | null; digest: string | null };

export const DEVCONTAINER_IMAGE = "devcontainer";

const LOCAL_TRANSPORTS = ["oci", "oci-archive", "docker-archive"] as const;
const UNSUPPORTED_TRANSPORTS = ["dir", "docker-daemon", "containers-storage", "ostree", "sif", "tarball"];
// The docker reference grammar (distribution/reference), without the normalisation skopeo does itself.
const DOMAIN =
  /^(?:localhost|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::[0-9]{1,5})?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$|^sha512:[0-9a-f]{128}$/;
// Local paths: absolute, no ':' (the transport splits on it), nothing a shell or option parser could take.
const LOCAL_PATH = /^\/[A-Za-z0-9._/+@%=~-]*$/;

/** A reference's parse failure, with a message that says what to write instead. */
export class ImageReferenceError extends CadreError {
  constructor(message: string) {
    super("validation_failed", message);
    this.name = "ImageReferenceError";
  }
}

function fail(text: string, why: string): never {
  throw new ImageReferenceError(`image reference ${JSON.stringify(text)}: ${why}`);
}

function parseLocal(text: string, transport: (typeof LOCAL_TRANSPORTS)[number], rest: string): ImageReference {
  const colon = rest.indexOf(":");
  const path = colon < 0 ? rest : rest.slice(0, colon);
  const tag = colon < 0 ? null : rest.slice(colon + 1);
  if (!LOCAL_PATH.test(path) || path.split("/").includes(".."))
    fail(
      text,
      `${transport}: needs an absolute path without '..', spaces or ':' (e.g. ${transport}:/srv/images/app${transport === "docker-archive" ? ".tar" : ""})`,
    );
  if (tag !== null && transport !== "docker-archive" && !TAG.test(tag))
    fail(text, "the tag after the path may hold letters, digits, '_', '.' and '-'");
  if (tag !== null && transport === "docker-archive" && !/^[A-Za-z0-9_./:-]{1,255}$|^@[0-9]{1,4}$/.test(tag))
    fail(text, "after a docker-archive path give a name:tag inside the archive or @<index>");
  return { transport, path, tag };
}

function parseDocker(text: string, rest: string): ImageReference {
  let name = rest;
  let digest: string | null = null;
  const at = name.indexOf("@");
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
    if (!DIGEST.test(digest)) fail(text, "a digest is sha256: followed by 64 hex digits");
  }
  let tag: string | null = null;
  const lastSlash = name.lastIndexOf("/");
  const tagColon = name.indexOf(":", lastSlash + 1);
  if (tagColon >= 0) {
    tag = name.slice(tagColon + 1);
    name = name.slice(0, tagColon);
    if (!TAG.test(tag)) fail(text, "a tag holds letters, digits, '_', '.' and '-' (at most 128)");
  }
  const parts = name.split("/");
  const first = parts[0] ?? "";
  // As in docker: the first component is a registry when it looks like a host name.
  const hasRegistry = parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
  const registry = hasRegistry ? first : "docker.io";
  const path = hasRegistry ? parts.slice(1) : parts;
  if (hasRegistry && !DOMAIN.test(registry)) fail(text, `${registry} is not a registry host name`);
  if (path.length === 0 || !path.every((p) => PATH_COMPONENT.test(p)))
    fail(text, "an image name is lowercase letters, digits and separators ('.', '_', '-', '/'), e.g. debian:bookworm");
  const repository = !hasRegistry && path.length === 1 ? `library/${path[0] as string}` : path.join("/");
  if (text.length > 1024) fail(text, "at most 1024 characters");
  return { transport: "docker", registry, repository, tag, digest };
}

/** Parses a reference; throws ImageReferenceError with what to write instead. */
export function parseImageReference(text: string): ImageReference {
  if (text.length === 0 || text.length > 1024) fail(text, "give 1 to 1024 characters");
  if (
    /\s/.test(text) ||
    [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f) ||
    text.startsWith("-")
  )
    fail(text, "may not hold spaces or control characters or start with '-'");
  const colon = text.indexOf(":");
  const scheme = colon < 0 ? "" : text.slice(0, colon);
  for (const transport of LOCAL_TRANSPORTS)
    if (scheme === transport) return parseLocal(text, transport, text.slice(colon + 1));
  if (text.startsWith("docker://")) return parseDocker(text, text.slice("docker://".length));
  if (UNSUPPORTED_TRANSPORTS.includes(scheme) || (/^[a-z-]+$/.test(scheme) && text.slice(colon + 1).startsWith("/")))
    fail(
      text,
      `transport ${scheme}: is not supported; use oci:, oci-archive:, docker-archive:, docker:// or a plain name:tag`,
    );
  return parseDocker(text, text);
}

/** The reference as skopeo takes it (transport prefix included). */
export function skopeoReference(ref: ImageReference): string {
  if (ref.transport !== "docker") return `${ref.transport}:${ref.path}${ref.tag === null ? "" : `:${ref.tag}`}`;
  const name = `${ref.registry}/${ref.repository}`;
  return `docker://${name}${ref.tag === null ? "" : `:${ref.tag}`}${ref.digest === null ? "" : `@${ref.digest}`}`;
}

/** The same image pinned to a manifest digest (registries only: local files are read as they are). */
export function pinnedReference(ref: ImageReference, digest: string): ImageReference {
  return ref.transport === "docker" ? { ...ref, tag: null, digest } : ref;
}

/** An environment's `image` field: a reference or `devcontainer`, checked when it crosses the API. */
export const ImageField = z
  .string()
  .max(1024)
  .superRefine((text, context) => {
    if (text === DEVCONTAINER_IMAGE) return;
    try {
      parseImageReference(text);
    } catch (error) {
      context.addIssue({ code: "custom", message: (error as Error).message });
    }
  });
