/** Types of scripts/build-cli.mjs, for the test setup and the benchmarks that build the CLI bundle. */
export declare const CLI_DIST: string;
export declare function cliBundleIsStale(): boolean;
export declare function buildCliBundle(): Promise<void>;
export declare function ensureCliBundle(options?: { force?: boolean; log?: (line: string) => void }): Promise<boolean>;
