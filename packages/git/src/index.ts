export * from "./run-git.ts";
