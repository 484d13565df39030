export { ImageStore, type ResolvedImage, type ResolveOptions } from "./image-store.ts";
export { ImageError } from "./image-error.ts";
export { REGISTRY_SECRETS } from "./skopeo.ts";
export { chainIds } from "./chain-id.ts";
export { readDevcontainer, parseDevcontainer, DEVCONTAINER_PATHS, type Devcontainer } from "./devcontainer.ts";
export { imageHasPaths } from "./image-paths.ts";
