import { realpath } from "node:fs/promises";
import { delimiter, isAbsolute, relative, resolve } from "node:path";
import { DEVCONTAINER_IMAGE, parseImageReference, InvariantError } from "@cadre/protocol";
import { fileAtCommit } from "@cadre/git";
import { ImageError, imageHasPaths, readDevcontainer, type ImageStore, type ResolvedImage } from "@cadre/image";
import { SandboxError, type ProvisionRequest, type SandboxEnvironment } from "./types.ts";

/** What the sandbox needs of an environment's image to make it the root of every command. */
export interface SandboxImage {
  reference: string;
  /** The manifest digest the reference was pinned to when the setup layer was built. */
  digest: string;
  /** Unpacked layer roots, top-most first. */
  layers: string[];
  /** The image config's variables (PATH=… and the like): below the environment's own. */
  variables: Record<string, string>;
  /** `/bin/bash` when the image has it, else `/bin/sh`. */
  shell: string;
  /** The image has no CA bundle of its own: the host's is bound in. */
  hostCaCertificates: boolean;
}

/** `image: devcontainer` read at the task's base commit and merged in; any other environment as it is. */
export async function withDevcontainer(req: ProvisionRequest): Promise<SandboxEnvironment> {
  const env = req.environment;
  if (env.image !== DEVCONTAINER_IMAGE) return env;
  try {
    const found = await readDevcontainer((path) => fileAtCommit(req.mirrorPath, req.baseCommit, path));
    if (found.image === DEVCONTAINER_IMAGE)
      throw new ImageError(DEVCONTAINER_IMAGE, `${found.path}: "image" must name an image, not "devcontainer"`);
    if (found.ignoredKeys.length > 0)
      req.onNotice?.("info", `${found.path}: Cadre's sandbox does not use ${found.ignoredKeys.join(", ")}`);
    const join = (...scripts: string[]): string => scripts.filter((s) => s.trim() !== "").join("\n");
    return {
      ...env,
      image: found.image,
      variables: { ...found.variables, ...env.variables },
      setupScript: join(env.setupScript, found.setupScript),
      maintenanceScript: join(env.maintenanceScript, found.maintenanceScript),
    };
  } catch (error) {
    throw asSetupFailure(error);
  }
}

/**
 * A local image's files become the sandbox's whole system: one inside the Cadre home (the
 * sandboxes, mirrors, keys, database) is refused, whether the environment or a repository's
 * devcontainer.json names it.
 */
export async function assertImageOutside(image: string, home: string): Promise<void> {
  if (image === DEVCONTAINER_IMAGE) return;
  let path: string;
  try {
    const ref = parseImageReference(image);
    if (ref.transport === "docker") return;
    path = await realpath(ref.path).catch(() => resolve(ref.path));
  } catch (error) {
    throw new SandboxError("setup_failed", (error as Error).message);
  }
  const realHome = await realpath(home).catch(() => resolve(home));
  const rel = relative(realHome, path);
  if (rel === "" || (!rel.startsWith("..") && !rel.startsWith("/")))
    throw new SandboxError(
      "setup_failed",
      `image ${image}: ${path} is inside the Cadre home; keep image files elsewhere`,
    );
}

/** The directories an operator opened to members for local files (`CADRE_LOCAL_REPO_ROOTS`), resolved. */
export async function localFileRoots(list: string | undefined): Promise<string[]> {
  const listed = (list ?? "").split(delimiter).filter((root) => isAbsolute(root));
  const resolved = await Promise.all(listed.map((root) => realpath(root).catch(() => null)));
  return resolved.filter((root): root is string => root !== null);
}

/**
 * A repository's devcontainer.json is written by whoever can push to the repository, not by an
 * admin: the image files it names on this machine must lie under the roots the operator opened to
 * members (as an environment's own image must when a member names it), and registry images are open.
 */
export async function assertDevcontainerImageAllowed(image: string, roots: string[]): Promise<void> {
  const ref = parseImageReference(image);
  if (ref.transport === "docker") return;
  const path = await realpath(ref.path).catch(() => resolve(ref.path));
  const inside = (root: string): boolean => {
    const rel = relative(root, path);
    return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
  };
  if (roots.some(inside)) return;
  throw new SandboxError(
    "setup_failed",
    `image ${image} from the repository's devcontainer.json is a file on the runner outside the directories opened to members (CADRE_LOCAL_REPO_ROOTS${roots.length ? `: ${roots.join(", ")}` : ", not set"}); name a registry image there, or have an admin set the environment's image`,
  );
}

/** An image problem ends the attempt as a setup failure whose message names the image and the cause. */
export function asSetupFailure(error: unknown): unknown {
  return error instanceof ImageError ? new SandboxError("setup_failed", `${error.message}`) : error;
}

function configVariables(env: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of env) {
    const at = entry.indexOf("=");
    if (at > 0) out[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return out;
}

/** The sandbox's view of a resolved image: its layers and the facts chosen before a command starts. */
export async function sandboxImage(image: ResolvedImage): Promise<SandboxImage> {
  const has = await imageHasPaths(image.layers, ["/bin/bash", "/bin/sh", "/etc/ssl/certs/ca-certificates.crt"]);
  if (!has["/bin/sh"] && !has["/bin/bash"])
    throw new SandboxError(
      "setup_failed",
      `image ${image.reference}: it has no /bin/sh, so no command can run in it; use an image with a shell`,
    );
  return {
    reference: image.reference,
    digest: image.digest,
    layers: image.layers,
    variables: configVariables(image.env),
    shell: has["/bin/bash"] ? "/bin/bash" : "/bin/sh",
    hostCaCertificates: !has["/etc/ssl/certs/ca-certificates.crt"],
  };
}

/** Resolves (pins, pulls, unpacks) an environment's image, progress into the setup log. */
export async function resolveSandboxImage(
  images: ImageStore,
  env: SandboxEnvironment,
  onLine: (line: string) => void,
): Promise<SandboxImage> {
  if (!env.image) throw new InvariantError("resolveSandboxImage needs an environment with an image");
  try {
    return await sandboxImage(await images.resolve(env.image, { secrets: env.secrets, onProgress: onLine }));
  } catch (error) {
    throw asSetupFailure(error);
  }
}

/** A pinned image whose layers are still here, without asking the source again (a cached setup layer). */
export async function loadSandboxImage(
  images: ImageStore,
  reference: string,
  digest: string,
): Promise<SandboxImage | null> {
  const image = await images.load(digest);
  return image ? sandboxImage({ ...image, reference }) : null;
}
