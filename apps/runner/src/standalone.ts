import { access } from "node:fs/promises";
import { join } from "node:path";
import { CadreError } from "@cadre/protocol";
import { openStore, type Store } from "@cadre/store";
import { checkPrerequisites, loadOrCreateSecretKey } from "@cadre/sandbox";
import { Runner } from "./runner.ts";

export interface StandaloneRunnerOptions {
  /** The PostgreSQL server every instance and runner shares (queue, store and event bus). */
  databaseUrl: string;
  /** This runner's own home: sandboxes, model config (config.json) and the secret key. */
  home: string;
  slots: number;
  name: string;
  /** Root of the bare mirrors shared with the server (`<root>/<repoId>.git`): checkpoints go there. */
  mirrors: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/**
 * A runner in its own process or machine: it claims attempts from the shared PostgreSQL queue
 * and holds them by lease, so when it dies another runner takes its attempts over.
 */
export async function startStandaloneRunner(
  opts: StandaloneRunnerOptions,
): Promise<{ runner: Runner; store: Store; stop: () => Promise<void> }> {
  const env = opts.env ?? process.env;
  const report = await checkPrerequisites();
  if (!report.ok) {
    throw new CadreError(
      "not_configured",
      `cannot start the runner: missing ${report.missing.map((m) => m.tool).join(", ")}. Install with: apt-get install ${report.missing.map((m) => m.debianPackage).join(" ")}`,
    );
  }
  await access(opts.mirrors).catch(() => {
    throw new CadreError(
      "not_configured",
      `the mirror root ${opts.mirrors} does not exist: pass --mirrors with the server's $CADRE_HOME/mirrors (shared by every runner)`,
    );
  });
  // A key made here would not decrypt the server's secrets: it must be the server's.
  if (!env.CADRE_SECRET_KEY) {
    await access(join(opts.home, "secret.key")).catch(() => {
      throw new CadreError(
        "not_configured",
        `no secret key: set CADRE_SECRET_KEY or copy the server's $CADRE_HOME/secret.key to ${join(opts.home, "secret.key")} (mode 600)`,
      );
    });
  }
  const secretKey = await loadOrCreateSecretKey(opts.home, env);
  const store = await openStore({ home: opts.home, databaseUrl: opts.databaseUrl });
  const runner = new Runner({
    store,
    home: opts.home,
    slots: opts.slots,
    name: opts.name,
    env,
    secretKey,
    log: opts.log,
    mirrorPath: (repoId) => join(opts.mirrors, `${repoId}.git`),
  });
  await runner.start();
  return {
    runner,
    store,
    async stop() {
      await runner.stop();
      await store.close();
    },
  };
}
